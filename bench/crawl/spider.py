"""The yardstick of bench/crawl/run.sh: Scrapy following every in-site link
of the generated forum from its index, with one CSS extraction per page.

    scrapy runspider spider.py -a start=http://127.0.0.1:PORT/ \
        -s DEPTH_LIMIT=MAX_DEPTH -O items.jl

One item per page (url, title, the text of the post bodies), written as
JSON lines. Settings as close to drpwatch's bench configuration as Scrapy
has them: 32 requests in flight (per domain too), no robots.txt, no
AutoThrottle, no delay, no cookies; links followed on the start host only
(off-site links are dropped), breadth-first down to the same depth as
drpwatch's max_depth. No pipeline stores anything beyond the feed.
"""

from urllib.parse import urlsplit

import scrapy


class ForumSpider(scrapy.Spider):
    name = "bench-forum"
    custom_settings = {
        "CONCURRENT_REQUESTS": 32,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        "USER_AGENT": "Mozilla/5.0 (compatible; drpwatch-bench-scrapy)",
        # Breadth-first, as drpwatch leases its frontier (by depth): a
        # page is then first seen at its smallest depth, and DEPTH_LIMIT
        # does not lose the pages below one first reached the long way.
        "DEPTH_PRIORITY": 1,
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    }

    def __init__(self, start=None, **kw):
        super().__init__(**kw)
        if not start:
            raise ValueError("spider.py needs -a start=URL")
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname]

    def parse(self, response):
        yield {
            "url": response.url,
            "title": response.css("title::text").get(),
            "text": " ".join(response.css("div.content ::text").getall()),
        }
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
