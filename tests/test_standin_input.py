"""Nothing a client sends makes the stand-in answer 500: bad input gets Telegram's 400, and text that
is not valid Unicode never gets into the world (where every later getUpdates would fail on it)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.standin import StandinThread
from bot.standin.methods import METHODS

pytestmark = pytest.mark.timeout(120)

# the line a terminal hands over when it cuts a long paste of Chinese mid-character (4095 bytes,
# decoded with surrogateescape as Python does for undecodable terminal input)
CUT_LINE = ("/search " + "武进" * 2500).encode("utf-8")[:4095].decode("utf-8", "surrogateescape")


@pytest.fixture(scope="module")
def tg() -> Iterator[StandinThread]:
    with StandinThread() as standin:
        alice = standin.user("Alice", id=5)
        standin.send_message(alice, alice, "hi")
        yield standin


def post(tg: StandinThread, method: str, body: bytes, content_type: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(f"{tg.base_url}{tg.token}/{method}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post_json(tg: StandinThread, method: str, params: dict) -> tuple[int, dict]:
    return post(tg, method, json.dumps(params).encode("ascii"), "application/json")


def test_the_cut_line_is_refused_by_the_driver_and_over_http(tg: StandinThread) -> None:
    alice = tg.chat(5).user
    with pytest.raises(ValueError, match="not valid Unicode"):
        tg.send_message(alice, alice, CUT_LINE)
    status, body = post_json(tg, "sendMessage", {"chat_id": 5, "text": CUT_LINE})
    assert (status, body["description"]) == (400, "Bad Request: strings must be encoded in UTF-8")
    markup = {"inline_keyboard": [[{"text": "\ud800", "callback_data": "x"}]]}
    form = urllib.parse.urlencode({"chat_id": 5, "text": "ok", "reply_markup": json.dumps(markup)}).encode()
    status, body = post(tg, "sendMessage", form)  # the JSON inside a form field is checked too
    assert (status, body["description"]) == (400, "Bad Request: strings must be encoded in UTF-8")
    status, body = post_json(tg, "getUpdates", {"timeout": 0})
    assert status == 200 and body["ok"]  # nothing bad was queued: polling goes on


def test_a_bad_string_already_in_the_world_does_not_wedge_get_updates(tg: StandinThread) -> None:
    with tg.standin._lock:  # bypassing every check, as a test writing to the world could
        tg.world.enqueue("message", {"message_id": 99, "text": "half \udce6 a character"})
    status, body = post_json(tg, "getUpdates", {"timeout": 0})
    assert status == 200 and body["result"][-1]["message"]["text"] == "half \udce6 a character"
    last = body["result"][-1]["update_id"]
    assert post_json(tg, "getUpdates", {"timeout": 0, "offset": last + 1})[0] == 200


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "0", "-1", "1e400", "inf", "nan", "@nobody", "<b>x", "HTML", "MarkdownV2", "[" * 3000]),
    st.sampled_from(['{"inline_keyboard": 5}', '[{"type":"bold","offset":0,"length":99999999999999999999}]']),
    st.text(max_size=50),  # surrogates included
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
NAMES = st.sampled_from(
    "chat_id text parse_mode reply_markup message_id message_ids offset limit entities callback_query_id "
    "user_id commands scope language_code action url allowed_updates description name menu_button "
    "show_alert cache_time reply_parameters link_preview_options secret_token max_connections".split()
)


def _form(params: dict) -> bytes:
    fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if v is not None}
    return urllib.parse.urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in fields.items()}).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from((*METHODS, "getUpdates")),
    params=st.dictionaries(NAMES, ODD_VALUES, max_size=5),
    as_json=st.booleans(),
)
def test_no_input_gets_a_server_error(tg: StandinThread, method: str, params: dict, as_json: bool) -> None:
    if method == "getUpdates":
        params["timeout"] = 0  # never long-poll in a fuzz test
    if method in ("logOut", "close", "setWebhook"):
        params.pop("url", None)  # keep the stand-in in polling mode for the next examples
    if as_json:
        try:
            body = json.dumps(params, allow_nan=True).encode("ascii")
        except ValueError:
            return
        status, answer = post(tg, method, body, "application/json")
    else:
        status, answer = post(tg, method, _form(params))
    assert status < 500, (method, params, answer)
    assert answer["ok"] is (status == 200) and (status == 200 or answer["description"])
    post_json(tg, "deleteWebhook", {})
