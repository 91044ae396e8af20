"""Command line: `qa-service ingest | ask | serve | eval | bench | validate-corpus`. Thin: parses and delegates."""

import argparse
import logging
import sys
from pathlib import Path

from qa_service.config import Settings, get_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {key: value for key, value in (("corpus_dir", getattr(args, "corpus", None)),
                                               ("index_dir", getattr(args, "index", None))) if value}
    return get_settings().model_copy(update=overrides) if overrides else get_settings()


def cmd_ingest(args) -> int:
    from qa_service.ingest.pipeline import ingest, is_stale
    settings = _settings(args)
    if args.if_stale and not is_stale(settings):
        print(f"index in {settings.index_dir} is up to date")
        return 0
    report = ingest(settings, progress=sys.stderr.isatty())
    for item in report.skipped:
        print(f"skipped {item.path}: {item.reason}", file=sys.stderr)
    print(f"indexed {report.documents} documents into {report.chunks} chunks and {report.sentences} sentences "
          f"({report.embedded} texts embedded, the rest from cache) in {report.seconds:.1f} s -> {report.path}")
    return 0


def cmd_ask(args) -> int:
    from qa_service.engine import QAEngine
    from qa_service.retrieve.retriever import Filters
    engine = QAEngine.load(_settings(args))
    answer = engine.ask(args.question, mode=args.mode, top_k=args.top_k,
                        filters=Filters(city=args.city, state=args.state, doc_type=args.type))
    if args.json:
        print(answer.model_dump_json(indent=2))
        return 0
    print(answer.answer + "\n")
    for citation in answer.citations:
        where = " · ".join(part for part in (citation.city, citation.section) if part)
        print(f"[{citation.n}] {citation.title} ({where}) {citation.url or ''}")
    timings = answer.timings_ms
    print(f"\nembed {timings.embed:.1f} ms · search {timings.search:.1f} ms · answer {timings.answer:.1f} ms")
    return 0


def cmd_serve(args) -> int:
    import uvicorn
    from qa_service.api.app import create_app
    # uvicorn's access log would pair client addresses with query strings (questions): ours logs
    # the path without the query and an anonymised client instead
    logging.getLogger("qa_service").setLevel(logging.INFO)
    uvicorn.run(create_app(_settings(args)), host=args.host, port=args.port, log_level="info", access_log=False)
    return 0


def cmd_validate(args) -> int:
    from qa_service.ingest.validate import main
    return main([str(args.corpus or get_settings().corpus_dir)])


def cmd_evaluation(args) -> int:
    """`eval` and `bench` live in the evaluation package; their own parsers take the remaining arguments."""
    if args.command == "eval":
        from evaluation.harness import main as run
    else:
        from evaluation.bench import main as run
    return run(args.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa-service", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="build the index from the corpus")
    ingest.add_argument("--corpus", type=Path)
    ingest.add_argument("--index", type=Path)
    ingest.add_argument("--if-stale", action="store_true", help="only when corpus, model or settings changed")
    ingest.set_defaults(run=cmd_ingest)

    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--city")
    ask.add_argument("--state")
    ask.add_argument("--type", choices=("city_profile", "context", "interview", "document"))
    ask.add_argument("--mode", choices=("hybrid", "dense", "bm25"))
    ask.add_argument("--top-k", type=int)
    ask.add_argument("--index", type=Path)
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=cmd_ask)

    serve = commands.add_parser("serve", help="serve the HTTP API, chat page and widget")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--index", type=Path)
    serve.set_defaults(run=cmd_serve)

    for name, help_text in (("eval", "measure answer quality per retrieval mode against a naive baseline"),
                            ("bench", "measure speed and resources against a naive baseline")):
        tool = commands.add_parser(name, help=help_text, add_help=False)
        tool.add_argument("rest", nargs=argparse.REMAINDER, help="see `qa-service %s --help`" % name)
        tool.set_defaults(run=cmd_evaluation)

    validate = commands.add_parser("validate-corpus", help="check the corpus format and sources")
    validate.add_argument("corpus", nargs="?", type=Path)
    validate.set_defaults(run=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("eval", "bench"):  # their own parsers take every option that follows
        return cmd_evaluation(argparse.Namespace(command=argv[0], rest=argv[1:]))
    args = build_parser().parse_args(argv)
    from qa_service.index.embedder import ModelUnavailableError
    from qa_service.index.store import IndexUnavailableError
    try:
        return args.run(args)
    except (IndexUnavailableError, ModelUnavailableError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
