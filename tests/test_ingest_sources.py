"""An input may come from a URL named in the inbox's sources.yaml: fetched, kept raw, read like a file."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from data_contracts.spec import load_contracts
from inbox.ingest import empty_stage, load_input

CSV = "统计期,行业代码,需求人数,求职人数\n2025-Q1,65,120,100\n2025-Q2,65,130,90\n".encode("gb18030")


@pytest.fixture()
def server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(CSV)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_url_source_is_fetched_kept_raw_and_read(tmp_path, server):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "sources.yaml").write_text(
        f"sources:\n  city-labor:\n    input: labor_market\n    url: {server}/exports/labor_market.csv\n",
        encoding="utf-8",
    )
    loaded = load_input(inbox, load_contracts()["labor_market"], tmp_path / "raw")
    assert loaded is not None and loaded.origin.endswith("/exports/labor_market.csv")
    assert loaded.result.encoding == "gb18030"
    assert loaded.frame["industry_code"].to_list() == ["65", "65"]
    assert loaded.raw.path.read_bytes() == CSV and loaded.raw.path.parent == tmp_path / "raw" / "labor_market"


def test_a_file_in_the_inbox_wins_and_absent_optional_input_is_none(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "人才供需.csv").write_bytes(CSV)
    contracts = load_contracts()
    loaded = load_input(inbox, contracts["labor_market"], tmp_path / "raw")
    assert loaded.origin == "人才供需.csv" and loaded.metadata()["sha256"] == loaded.raw.sha256
    assert load_input(inbox, contracts["job_postings"], tmp_path / "raw") is None
    assert empty_stage(contracts["job_postings"]).columns[-1] == "_row"


def test_a_broken_inbox_sources_file_is_named_in_chinese(tmp_path):
    from warehouse.errors import InputError

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "sources.yaml").write_text("sources:\n  mine:\n    columns: {a: b}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_input(inbox, load_contracts()["labor_market"], tmp_path / "raw")
    assert "sources.yaml" in str(caught.value) and "来源配置文件有误" in str(caught.value)
    (inbox / "sources.yaml").write_text("sources: {}\n", encoding="utf-8")   # fixed: re-read, not cached
    assert load_input(inbox, load_contracts()["labor_market"], tmp_path / "raw") is None
