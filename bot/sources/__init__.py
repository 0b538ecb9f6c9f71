"""Live sources: RSS/Atom/RDF feeds, article web pages and an inbox folder, turned into articles.

One module per concern, none of them reading the config file (the caller hands in plain values):

* `http`      one polite, bounded GET: User-Agent, conditional GET, per-host concurrency 1,
              timeouts, a streamed size limit, redirects counted and loops recognised;
* `feeds`     feed bytes -> entries (feedparser), each with its GUID, link, title, author, date, HTML;
* `extract`   HTML -> paragraphs: feed entry HTML by hand (lxml), whole article pages with
              trafilatura; decoding of pages in any declared (or undeclared GB18030) charset;
* `inbox`     which dropped files are complete (stable across two looks), done/ and failed/;
* `seen`      entries a source already delivered, by GUID, link and content hash;
* `near_duplicates` the same story from two sources (MinHash LSH over character shingles);
* `state`     each source's poll state: status, validators, counters, failure streak, backoff;
* `schedule`  `every = "30m"` or a cron line as an APScheduler trigger, and the next poll;
* `poll`      one poll of one source, end to end (the only module that knows them all).

The running bot (bot.telegram.services) schedules `poll.poll_source` on PTB's JobQueue, the CLI
runs it for `digestbot fetch`; the result is stored through bot.corpus like any page.
"""
