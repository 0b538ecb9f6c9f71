"""Operating the bot: secrets kept out of every output (`redact`, the one redaction point),
where and how logs are written (`logs`), failures phrased for the operator (`errors`), the
numbers behind /stats and `digestbot stats` (`stats`), several instances on one store —
heartbeats, roles and the leader lock (`instances`) — and /healthz and Prometheus /metrics
(`health`, `metrics`).
"""
