"""The command line: parse options, call the library, render. No SQL, no NLP here."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from . import __version__, render, settings
from .errors import ClaimtrackError, InputError
from .filters import FilterError, Filters, actor_kind, country_code
from .store import CLAIM_RECORD_FIELDS, Store, open_store


class _Group(typer.core.TyperGroup):
    """Turns library errors into one line on stderr and a non-zero exit."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader of our output left (`| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (ClaimtrackError, sqlite3.Error, OSError) as error:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(_one_line(error))
        except KeyboardInterrupt:
            _fail("interrupted; every batch committed so far is whole: run the same ingest again to finish", code=130)


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code)


app = typer.Typer(
    cls=_Group,
    help="Track claims across many sources: ingest documents, then search, export and compare claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
EncoderOption = Annotated[
    str | None,
    typer.Option(
        envvar=settings.ENCODER_ENV_VAR,
        help="Sentence encoder: wordllama (built in, the default) or st:MODEL (sentence-transformers).",
    ),
]
ClusterOption = Annotated[
    str | None,
    typer.Option(
        envvar=settings.CLUSTER_ENV_VAR,
        help="A Dask scheduler, tcp://HOST:8786, whose workers run the CPU stages (needs claimtrack[cluster]).",
    ),
]
AllOption = Annotated[bool, typer.Option("--all", help="Every appearance, not one row per cluster.")]
FILTER_OPTIONS = {  # declared once; `filter_options` adds them to a command and builds its `filters`
    "source": Annotated[
        str | None, typer.Option(help="Only documents whose path, URL, title or publisher contains this.")
    ],
    "country": Annotated[
        list[str] | None,
        typer.Option("--country", help="Only claims about this country (KZ, kaz, Kazakhstan); repeatable."),
    ],
    "actor": Annotated[list[str] | None, typer.Option("--actor", help="Only claims naming this actor; repeatable.")],
    "role": Annotated[str | None, typer.Option(help="With --actor: the actor's role, speaker or subject.")],
    "since": Annotated[str | None, typer.Option(help="Claims dated on or after YYYY, YYYY-MM or YYYY-MM-DD.")],
    "until": Annotated[str | None, typer.Option(help="Claims dated on or before YYYY, YYYY-MM or YYYY-MM-DD.")],
    "by": Annotated[str, typer.Option("--by", help="Date --since/--until filter on: claim or doc.")],
}
FILTER_DEFAULTS = {"by": "claim"}


def filter_options(*, role: bool = True, by: bool = True):
    """Give a command the filter options, and call it with one checked `filters: Filters` instead."""
    names = [name for name in FILTER_OPTIONS if (role or name != "role") and (by or name != "by")]

    def decorate(command):
        own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "filters"]
        added = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=FILTER_DEFAULTS.get(name),
                              annotation=FILTER_OPTIONS[name])
            for name in names
        ]  # fmt: skip

        @functools.wraps(command)
        def with_filters(*args, **kwargs):
            given = {name: kwargs.pop(name) for name in names}
            filters = Filters.build(
                source=given.get("source"),
                countries=given.get("country") or (),
                actors=given.get("actor") or (),
                role=given.get("role"),
                since=given.get("since"),
                until=given.get("until"),
                by=given.get("by", "claim"),
            )
            return command(*args, filters=filters, **kwargs)

        parameters = [*own, *added]
        with_filters.__signature__ = inspect.Signature(parameters)
        with_filters.__annotations__ = {p.name: p.annotation for p in parameters}
        return with_filters

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claimtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None, typer.Option(help=f"Database file (env {settings.DB_ENV_VAR}; default {settings.DEFAULT_DB}).")
    ] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = {"db": db or settings.default_db_path(), "debug": debug}


def _store(ctx: typer.Context) -> Store:
    store = open_store(ctx.obj["db"])
    ctx.call_on_close(store.close)
    return store


def _cluster(ctx: typer.Context, address: str):
    from .cluster import connect

    connected = connect(address)
    ctx.call_on_close(connected.close)
    return connected


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders (recursive), web addresses, or - for standard input."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the documents named.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Publisher of the documents named.")] = None,
    url: Annotated[str | None, typer.Option(help="URL of the documents named.")] = None,
    date: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes for the CPU stages; default: one per core.")
    ] = None,
    urls_file: Annotated[Path | None, typer.Option(help="A file of web addresses to fetch, one per line.")] = None,
    text_field: Annotated[str | None, typer.Option(help="Collections: the field holding the text.")] = None,
    title_field: Annotated[str | None, typer.Option(help="Collections: the field holding the title.")] = None,
    date_field: Annotated[str | None, typer.Option(help="Collections: the field holding the date.")] = None,
    url_field: Annotated[str | None, typer.Option(help="Collections: the field holding the URL.")] = None,
    publisher_field: Annotated[str | None, typer.Option(help="Collections: the field holding the publisher.")] = None,
    threshold: Annotated[
        float | None,
        typer.Option(help="Similarity (0-100, rapidfuzz ratio) at which two sentences are one claim; default 80."),
    ] = None,
    cluster: ClusterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read documents, find their claims and store them; unchanged files are skipped."""
    from .pipeline import ingest as run_ingest
    from .read import read_url_list

    paths = [*(paths or []), *(read_url_list(urls_file) if urls_file else [])]
    if not paths:
        raise InputError("nothing to ingest: name files, folders, web addresses, - or --urls-file")
    named_fields = dict(text=text_field, title=title_field, date=date_field, url=url_field, publisher=publisher_field)
    fields = {key: value for key, value in named_fields.items() if value}

    if date and not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        raise InputError(f"--date takes YYYY-MM-DD, not {date!r}")
    if threshold is not None and not 0 < threshold <= 100:
        raise InputError(f"--threshold is a similarity above 0 and up to 100, not {threshold}")
    overrides = {k: v for k, v in dict(title=title, publisher=publisher, url=url, date=date).items() if v}
    connected = _cluster(ctx, cluster) if cluster else None  # an unreachable one fails before the database opens
    store = _store(ctx)
    err = render.console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=as_json or not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("ingesting", total=None)

        def advance(source: str, status: str) -> None:
            workers = f" ({connected.workers} workers)" if connected else ""
            progress.update(task, advance=1, description=f"{status}: {Path(source).name}"[:60] + workers)

        report = run_ingest(
            paths,
            store,
            overrides=overrides,
            fields=fields,
            workers=max(1, workers or os.cpu_count() or 1),
            threshold=threshold,
            on_document=advance,
            cluster=connected,
        )
    if as_json:
        render.print_json(report.as_dict())
    else:
        for failure in report.failed:
            err.print(f"[red]failed[/red] {failure['source']}: {failure['reason']}", markup=True, highlight=False)
        render.console().print(
            f"documents: {report.new} new, {report.replaced} replaced, {report.unchanged} unchanged, "
            f"{len(report.failed)} failed; sentences: {report.sentences}; claims: {report.claims}; "
            f"boilerplate lines dropped: {report.dropped}"
        )
    if report.failed:
        raise typer.Exit(code=1)


@app.command()
@filter_options()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words (prefixes match), or "a quoted phrase".')],
    limit: Annotated[int, typer.Option(help="How many results at most.")] = settings.SEARCH_LIMIT,
    every: AllOption = False,
    fuzzy: Annotated[bool, typer.Option(help="Also match close spellings of names.")] = True,
    like: Annotated[
        bool, typer.Option("--like", help="Claims that state what QUERY states, in any words (by meaning).")
    ] = False,
    encoder: EncoderOption = None,
    as_json: JsonOption = False,
    *,
    filters: Filters,
) -> None:
    """Claims matching QUERY, best first (bm25), one per cluster; with --like, claims by meaning."""
    from .search import build_query

    store = _store(ctx)
    if like:
        chosen = _encoder(store, encoder)
        _embed_missing(store, chosen, quiet=as_json)
        _show_related(store, _related().claims_like(store, query, chosen, limit, filters), as_json)
        return
    fts_query = build_query(query, store.terms_near, fuzzy=fuzzy)
    results = store.search(fts_query, filters, limit, every_appearance=every)
    if as_json:
        render.print_json([{k: r[k] for k in CLAIM_RECORD_FIELDS} for r in results])
        return
    if not results:
        render.console(stderr=True).print(f"no claims match {query!r}")
        return
    rows = [dict(r, text=render.highlighted(r["marked"]), source=render.short_source(r["source"])) for r in results]
    render.console().print(
        render.table(
            rows,
            ("id", "text", "source", "sources_count", "countries"),
            id={"justify": "right"},
            text={"ratio": 4},
            source={"overflow": "fold"},
        )  # fmt: skip
    )


@app.command()
@filter_options()
def export(
    ctx: typer.Context,
    format: Annotated[
        str, typer.Option("--format", help="csv, json, jsonl, jsonld (schema.org Claim) or parquet (needs --output).")
    ] = "csv",
    output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    every: AllOption = False,
    *,
    filters: Filters,
) -> None:
    """Every claim (one per cluster) as CSV, JSON, JSON Lines, JSON-LD or Parquet."""
    from . import jsonld, parquet

    store = _store(ctx)
    writers = {
        "csv": lambda rows, out: render.write_csv(rows, CLAIM_RECORD_FIELDS, out),
        "json": render.write_json,
        "jsonl": render.write_jsonl,
        "jsonld": lambda rows, out: jsonld.write_jsonld(jsonld.claims(store, rows), out),
    }
    formats = (*writers, "parquet")
    if format not in formats:
        raise InputError(f"--format is one of {', '.join(formats)}, not {format!r}")
    if format == "parquet":
        parquet.require_pyarrow()
        if output is None:
            raise InputError("--format parquet writes a file, not standard output: give --output FILE.parquet")
    records = store.export(filters, every_appearance=every)
    if output is None:
        writers[format](records, sys.stdout)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    if format == "parquet":
        parquet.write_parquet(records, partial)
    else:
        with partial.open("w", encoding="utf-8", newline="") as out:
            writers[format](records, out)
    os.replace(partial, output)


@app.command()
def show(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(help="The id of a claim (from search or export).")],
    as_json: JsonOption = False,
) -> None:
    """One claim: its record, its place in the document, and its cluster."""
    store = _store(ctx)
    sentence = store.sentence(claim_id)
    if sentence is None:
        raise InputError(f"there is no sentence with id {claim_id}")
    record = store.claim_records([claim_id])[0]
    context = store.neighbours(sentence["document_id"], sentence["position"], settings.NEIGHBOURS)
    members = store.cluster_members(sentence["cluster_id"]) if sentence["cluster_id"] else []
    links = store.claim_variants(claim_id) if sentence["cluster_id"] else []
    with_vectors = bool(store.vectors_of([claim_id]))
    related = _related().related_to_claim(store, claim_id, _encoder(store, None), 3) if with_vectors else []
    if as_json:
        render.print_json(
            {
                **record, "kind": sentence["kind"], "context": context, "cluster": members, "variants": links,
                "related": _related_records(store, related),
            }  # fmt: skip
        )
        return
    out = render.console()
    fields = [{"field": name, "value": record[name]} for name in CLAIM_RECORD_FIELDS[2:]]
    out.print(render.table(fields, ("field", "value"), title=f"claim {claim_id} ({sentence['kind']})"))
    out.print(f"\n[bold]{record['text']}[/bold]\n", highlight=False)
    for row in context:
        marker = "→" if row["id"] == claim_id else " "
        out.print(f"{marker} {row['position']:>4} [dim]{row['kind']}[/dim] {row['text']}", highlight=False)
    if len(members) > 1:
        out.print(render.table(members, ("claim_id", "source", "position", "text"), title="same claim elsewhere"))
    if links:
        out.print(render.variants_table(links))
    if related:
        title = "related claims (the best three: the same claim in other words?)"
        out.print(_related_table(store, related, title=title))


@app.command()
@filter_options()
def dupes(
    ctx: typer.Context,
    min_sources: Annotated[int, typer.Option(help="Only clusters seen in at least this many documents.")] = 2,
    limit: Annotated[int, typer.Option(help="How many clusters at most.")] = 50,
    as_json: JsonOption = False,
    *,
    filters: Filters,
) -> None:
    """Claims that appear more than once, most sources first."""
    from .dedupe import with_similarity

    store = _store(ctx)
    clusters = [with_similarity(c) for c in store.dupes(filters, min_sources, limit)]
    if as_json:
        render.print_json(clusters)
        return
    out = render.console()
    if not clusters:
        out.print("no repeated claims")
    for cluster in clusters:
        seen = f", first {cluster['first_seen']}, last {cluster['last_seen']}" if cluster["first_seen"] else ""
        out.print(
            f"\n[bold]cluster {cluster['cluster_id']}[/bold]: {cluster['count']} appearances in "
            f"{cluster['sources_count']} documents{seen}\n{cluster['text']}",
            highlight=False,
        )
        out.print(render.table(cluster["members"], ("claim_id", "source", "position", "similarity", "text")))


@app.command()
@filter_options(role=False, by=False)
def variants(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Only variants where a side matches these words.")] = None,
    kind: Annotated[str | None, typer.Option(help="number, negation, actor or date.")] = None,
    limit: Annotated[int, typer.Option(help="How many links at most.")] = 50,
    as_json: JsonOption = False,
    *,
    filters: Filters,
) -> None:
    """Claims that mutated as they travelled: the same sentence with another number, negation, actor or date."""
    from .search import build_query

    kinds = ("number", "negation", "actor", "date")
    if kind is not None and kind not in kinds:
        raise InputError(f"--kind is one of {', '.join(kinds)}, not {kind!r}")
    store = _store(ctx)
    if query:
        filters = dataclasses.replace(filters, match=build_query(query, store.terms_near))
    links = store.variants(filters, kind, limit)
    if as_json:
        render.print_json([{k: link[k] for k in ("kind", "a_value", "b_value", "a", "b")} for link in links])
        return
    if not links:
        render.console(stderr=True).print("no variants found")
        return
    render.console().print(render.variants_table(links))


@app.command()
@filter_options(by=False)
def timeline(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Only claims matching these words.")] = None,
    by_period: Annotated[str, typer.Option("--by", help="Count per month or year.")] = "month",
    limit: Annotated[int, typer.Option(help="How many dated claims to list.")] = 30,
    as_json: JsonOption = False,
    *,
    filters: Filters,
) -> None:
    """Claims ordered by date, with a bar chart of claims per period."""
    from .search import build_query

    periods = {"month": 7, "year": 4}
    if by_period not in periods:
        raise InputError(f"--by is month or year, not {by_period!r}")
    store = _store(ctx)
    if query:
        filters = dataclasses.replace(filters, match=build_query(query, store.terms_near))
    series, claims = store.timeline(filters, periods[by_period], limit)
    if as_json:
        render.print_json({"series": series, "claims": claims})
        return
    out = render.console()
    if not series:
        out.print("no dated claims")
        return
    out.print(render.bar_chart(series, title=f"claims per {by_period}"))
    out.print(render.table(claims, ("date", "id", "text", "first_seen", "last_seen"), text={"ratio": 4}))


actors_app = typer.Typer(help="Who claims what about whom: the actors found in claims.")
app.add_typer(actors_app, name="actors")


@actors_app.callback(invoke_without_command=True)
def actors_list(
    ctx: typer.Context,
    country: Annotated[str | None, typer.Option(help="Only actors of this country.")] = None,
    kind: Annotated[str | None, typer.Option(help="person, organisation, country, place or region.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Actors with kind, country, aliases and claim counts."""
    if ctx.invoked_subcommand:
        return
    rows = _store(ctx).actors(country_code(country) if country else None, actor_kind(kind) if kind else None)
    if as_json:
        render.print_json(rows)
        return
    render.console().print(render.table(rows, ("name", "kind", "country", "claims", "aliases"), aliases={"ratio": 3}))


@actors_app.command("set")
def actors_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The actor's canonical name (or a name it is known by).")],
    country: Annotated[str | None, typer.Option(help="Its country (KZ, Kazakhstan).")] = None,
    kind: Annotated[str, typer.Option(help="person, organisation, country, place or region.")] = "person",
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name it goes by; repeatable.")] = None,
) -> None:
    """Correct or add an actor; later ingests keep what you set."""
    from .actors import Actor

    actor = Actor(name, actor_kind(kind), country_code(country) if country else None, set(alias or ()))
    _store(ctx).set_actor(actor)
    render.console().print(f"set {name}: {actor.kind}, {actor.country or 'no country'}")


@actors_app.command("load")
def actors_load(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV or JSON with name, kind, country and aliases (joined by ;).")],
) -> None:
    """Set many actors from a file, as `actors set` would."""
    from .actors import Actor

    store = _store(ctx)
    entries = render.read_records(path)
    for entry in entries:
        if not entry.get("name"):
            raise InputError(f"{path}: every actor needs a name")
        aliases = entry.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [a.strip() for a in aliases.split(";") if a.strip()]
        country = entry.get("country")
        store.set_actor(
            Actor(
                entry["name"],
                actor_kind(entry.get("kind") or "person"),
                country_code(country) if country else None,
                set(aliases),
            )
        )
    render.console().print(f"set {len(entries)} actors from {path}")


@app.command()
def related(
    ctx: typer.Context,
    claim_id: Annotated[int, typer.Argument(help="The id of a claim (from search or export).")],
    limit: Annotated[int, typer.Option(help="How many related claims at most.")] = 10,
    encoder: EncoderOption = None,
    as_json: JsonOption = False,
) -> None:
    """Claims of other clusters that state the same thing as CLAIM_ID in other words, best first."""
    store = _store(ctx)
    chosen = _encoder(store, encoder)
    _embed_missing(store, chosen, quiet=as_json)
    found = _related().related_to_claim(store, claim_id, chosen, limit)
    store.save_related(claim_id, [(r.claim_id, r.score, r.evidence) for r in found])
    _show_related(store, found, as_json)


@app.command()
def embed(
    ctx: typer.Context, encoder: EncoderOption = None, cluster: ClusterOption = None, as_json: JsonOption = False
) -> None:
    """Give every claim without a vector one (for related and search --like); resumes where it stopped."""
    connected = _cluster(ctx, cluster) if cluster else None
    store = _store(ctx)
    done = _embed_missing(store, _encoder(store, encoder), quiet=as_json, cluster=connected)
    if as_json:
        render.print_json({"encoded": done, "encoder": store.vector_encoder()})
    else:
        render.console().print(f"claims encoded: {done} (encoder {store.vector_encoder()})")


def _related():
    from . import related as related_claims

    return related_claims


def _encoder(store: Store, spec: str | None):
    """The encoder named, else the one the stored vectors were made with, else the default."""
    return _related().load_encoder(spec or store.vector_encoder())


def _embed_missing(store: Store, encoder, quiet: bool, cluster=None) -> int:
    err = render.console(stderr=True)
    with Progress(
        TextColumn("encoding claims"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet or not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("encoding", total=None)
        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return _related().embed_claims(store, encoder, advance, cluster=cluster)


def _related_records(store: Store, found: list) -> list[dict]:
    records = {r["id"]: r for r in store.claim_records([r.claim_id for r in found])}
    return [
        {k: records[r.claim_id][k] for k in CLAIM_RECORD_FIELDS} | {"score": round(r.score, 4), "evidence": r.evidence}
        for r in found
    ]


def _related_table(store: Store, found: list, title: str | None = None):
    rows = [
        dict(r, source=render.short_source(r["source"]), why=render.related_evidence(r["evidence"]))
        for r in _related_records(store, found)
    ]
    return render.table(
        rows, ("id", "score", "text", "source", "why"), title=title, id={"justify": "right"}, text={"ratio": 4}
    )


def _show_related(store: Store, found: list, as_json: bool) -> None:
    if as_json:
        render.print_json(_related_records(store, found))
    elif not found:
        render.console(stderr=True).print("no related claims found")
    else:
        render.console().print(_related_table(store, found))


@app.command()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 exposes the database to the network.")
    ] = "127.0.0.1",
) -> None:
    """Browse the claims in a web page (Datasette; pip install 'claimtrack\\[serve]')."""  # "\\[": not rich markup
    from .serve import serve as run_server

    run_server(ctx.obj["db"], host, port)


@app.command()
def sources(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The documents in the database."""
    rows = _store(ctx).sources()
    if as_json:
        render.print_json(rows)
        return
    rows = [dict(row, source=render.short_source(row["source"])) for row in rows]
    render.console().print(
        render.table(
            rows, ("id", "source", "title", "publisher", "date", "date_source", "sentences", "claims", "dropped")
        )
    )


@app.command()
def stats(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Counts of documents, sentences, claims, clusters and actors."""
    figures = _store(ctx).stats()
    if as_json:
        render.print_json(figures)
        return
    rows = [{"what": k.replace("_", " "), "count": v} for k, v in figures.items()]
    render.console().print(render.table(rows, ("what", "count"), count={"justify": "right"}))


def _one_line(error: BaseException) -> str:
    if isinstance(error, FilterError):
        return f"--{error.field.replace('_', '-')} {error.problem}"
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        return "the database is busy with another writer; try again"
    if isinstance(error, sqlite3.Error):
        return f"database error: {error}"
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":
    app()
