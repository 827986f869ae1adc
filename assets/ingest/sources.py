"""The inbox's files as observable source assets: each input's data version is the SHA-256 of its bytes.

Observing reads no row: it finds each input's file (in the inbox, or the review store's export for the
commission's overrides) and hashes it as the raw store will keep it (inbox/raw_store.py). The ingest asset
of an input depends on its source asset, so Dagster knows an input is stale exactly when its file's bytes
(or the inbox's own reading rules, sources.yaml) are not the ones it last staged, and the UI says
"inbox/<input> has a new data version". An input fetched from a URL cannot be known without fetching it: its
version is new at every observation, so it is fetched and staged on every run, as before.
"""

from __future__ import annotations

import hashlib
import warnings
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from data_contracts.spec import Contract, load_contracts
from inbox.ingest import INBOX_SOURCES, inbox_sources
from inbox.raw_store import sha256_of
from inbox.readers import find_input
from warehouse.editions import editions_version
from warehouse.errors import InputError

SOURCE_PREFIX = "inbox"
ABSENT = "absent"
# The editions published so far: what a new edition compares with and what the back-tests take as issued. Observed
# with the inbox's files, so a newly published (or finalized) edition makes the assets that read them stale; that
# includes the edition a run publishes itself: the next run recomputes those readers once (publishing the same
# catalogs again is a no-op, which leaves the version as it is) and the run after it launches nothing.
PUBLISHED_EDITIONS = dg.AssetKey("published_editions")


def source_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([SOURCE_PREFIX, name])


def source_keys() -> list[dg.AssetKey]:
    """Every observable source: the inbox's inputs and the published editions."""
    return [*(source_key(name) for name in load_contracts()), PUBLISHED_EDITIONS]


def published_version(home) -> str:
    """The published editions' data version (``warehouse.editions.editions_version``), ``absent`` before the first."""
    return editions_version(home.published) or ABSENT


def input_folder(name: str, home, inbox_folder: Path) -> Path:
    """Where an input's file is read from: the review store's export for the overrides, else the inbox."""
    return home.review_exports if name == "overrides" else inbox_folder


def file_version(folder: Path, contract: Contract) -> str:
    """The input's data version: its file's SHA-256 (with the inbox's own sources.yaml, when it has one);
    ``absent`` when not provided; a new value at every call for a URL source; ``refused:…`` for a file the
    readers will refuse (the ingest then says why, in Chinese)."""
    folder = Path(folder)
    try:
        path = find_input(folder, contract) if folder.is_dir() else None
        sources = inbox_sources(folder) if folder.is_dir() else {}
    except InputError as exc:
        return "refused:" + hashlib.sha256(str(exc).encode()).hexdigest()[:16]
    if path is None:
        if any(s.input == contract.name and s.url for s in sources.values()):
            return f"url:{datetime.now(UTC).isoformat()}"
        return ABSENT
    sha, _ = sha256_of(path)
    own = folder / INBOX_SOURCES
    if own.is_file():  # the inbox's own reading rules are part of what the file means
        return hashlib.sha256(f"{sha}\n{sha256_of(own)[0]}".encode()).hexdigest()
    return sha


def inbox_versions(home, inbox_folder: Path) -> dict[dg.AssetKey, str]:
    """Every input's data version now (what observing the inbox records), by source asset key."""
    return {**{source_key(name): file_version(input_folder(name, home, inbox_folder), contract)
               for name, contract in load_contracts().items()}, PUBLISHED_EDITIONS: published_version(home)}


def build_sources() -> dg.AssetsDefinition:
    """One step observes every input (or the selected ones): a file is hashed in chunks, never parsed."""
    contracts = load_contracts()
    specs = [dg.AssetSpec(source_key(name), group_name=SOURCE_PREFIX, owners=["team:data"], kinds={"file"},
                          description=f"{'复核库导出' if name == 'overrides' else '收件箱中'}的「{c.title}」文件（未入库）："
                          "数据版本为文件字节的 SHA-256，变化时其入库资产过期。")
             for name, c in contracts.items()]
    specs.append(dg.AssetSpec(PUBLISHED_EDITIONS, group_name=SOURCE_PREFIX, owners=["team:data"], kinds={"parquet"},
                              description="已发布的各版次（published/ 下的版次文件夹与 CURRENT）：数据版本为各版次的名称、状态与"
                              "目录、禁限目录的 SHA-256，发布或定稿新版次时，与上一版比较的表和往年预警回溯随之过期。"))
    with warnings.catch_warnings():  # multi_observable_source_asset is marked beta in Dagster 1.13: said once, here
        warnings.simplefilter("ignore", dg.BetaWarning)

        @dg.multi_observable_source_asset(name="observe_inbox_files", specs=specs, can_subset=True,
                                          required_resource_keys={"warehouse", "inbox"})
        def observe_inbox_files(context):
            home, inbox = context.resources.warehouse.paths, context.resources.inbox.folder()
            for key in context.selected_asset_keys:
                if key == PUBLISHED_EDITIONS:
                    version = published_version(home)
                else:
                    contract = contracts[key.path[-1]]
                    version = file_version(input_folder(contract.name, home, inbox), contract)
                yield dg.ObserveResult(asset_key=key, data_version=dg.DataVersion(version),
                                       metadata={"sha256_or_state": version})

    return observe_inbox_files
