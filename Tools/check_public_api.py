#!/usr/bin/env python3
"""The public API of InferRuntime, listed and checked.

Builds InferRuntime's symbol graph (public symbols only, the re-exported InferIR types
included) in its own scratch folder (.build-docs, so the normal build stays warm), then:

  - fails on any public symbol without a doc comment (protocol plumbing the compiler
    synthesizes -- hashValue, hash(into:), init(rawValue:), $-projections -- excepted);
  - fails when the list of public symbols differs from docs/public-api.txt, so a change to the
    API is a deliberate edit of that file (`--update` rewrites it);
  - runs `docc convert` over the symbol graph and fails on any warning it prints.

Usage: python3 Tools/check_public_api.py [--update]
"""
import json, os, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LISTING = os.path.join(ROOT, "docs", "public-api.txt")
SYNTHESIZED = {"hashValue", "hash(into:)", "init(rawValue:)"}


def symbol_graph(out: str) -> list[dict]:
    subprocess.run(["swift", "build", "--target", "InferRuntime", "--scratch-path", os.path.join(ROOT, ".build-docs"),
                    "-Xswiftc", "-emit-symbol-graph", "-Xswiftc", "-emit-symbol-graph-dir", "-Xswiftc", out],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "InferRuntime.symbols.json")) as f:
        return json.load(f)["symbols"]


def main() -> int:
    update = "--update" in sys.argv[1:]
    work = tempfile.mkdtemp(prefix="swiftc-infer-api-")
    try:
        graphs = os.path.join(work, "graphs")
        os.makedirs(graphs)
        symbols = [s for s in symbol_graph(graphs) if s["accessLevel"] in ("public", "open")]
        names = sorted({f'{s["kind"]["identifier"].removeprefix("swift.")} {".".join(s["pathComponents"])}' for s in symbols})
        undocumented = [n for s, n in ((s, f'{".".join(s["pathComponents"])}') for s in symbols)
                        if not s.get("docComment") and s["pathComponents"][-1] not in SYNTHESIZED
                        and not s["pathComponents"][-1].startswith("$")]
        failed = False
        if undocumented:
            failed = True
            print(f"{len(undocumented)} public symbols have no doc comment:")
            for n in sorted(set(undocumented)):
                print("   ", n)
        listed = open(LISTING).read().split("\n")[:-1] if os.path.exists(LISTING) else []
        if update:
            with open(LISTING, "w") as f:
                f.write("\n".join(names) + "\n")
            print(f"wrote {len(names)} public symbols to {os.path.relpath(LISTING, ROOT)}")
        elif names != listed:
            failed = True
            print(f"the public API differs from {os.path.relpath(LISTING, ROOT)} (rerun with --update if intended):")
            for n in sorted(set(names) - set(listed)):
                print("  +", n)
            for n in sorted(set(listed) - set(names)):
                print("  -", n)
        docc = shutil.which("docc")
        if docc:
            for f in os.listdir(graphs):   # only the module's own graph and its extensions
                if not f.startswith("InferRuntime"):
                    os.remove(os.path.join(graphs, f))
            result = subprocess.run([docc, "convert", "--additional-symbol-graph-dir", graphs, "--fallback-display-name",
                                     "InferRuntime", "--fallback-bundle-identifier", "swiftc-infer.InferRuntime",
                                     "--output-path", os.path.join(work, "InferRuntime.doccarchive")],
                                    capture_output=True, text=True)
            warnings = [l for l in (result.stdout + result.stderr).splitlines() if "warning:" in l or "error:" in l]
            if result.returncode != 0 or warnings:
                failed = True
                print(f"docc convert: exit {result.returncode}, {len(warnings)} warnings:")
                for w in warnings[:40]:
                    print("   ", w)
            else:
                print("docc convert: documentation built without warnings")
        else:
            print("docc not found: skipped building the documentation")
        print(f"{len(names)} public symbols, {len(set(undocumented))} undocumented")
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
