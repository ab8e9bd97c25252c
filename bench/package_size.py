#!/usr/bin/env python3
"""The size of what `make package` built: the .deb and .rpm files, what the .deb installs, and
its two binaries.

Reads the newest release packages under $CARGO_TARGET_DIR/release/bundle (`make bench` runs
`make package` first). The installed size is the sum of the files in the .deb's data archive
(what `dpkg -L` lists takes on disk, before file-system block rounding), checked against the
control file's Installed-Size, which is what apt shows before installing.
"""

import os
import subprocess
import sys
from pathlib import Path

TARGET = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/klaxon/target"))
BUNDLE = TARGET / "release" / "bundle"
MB = 1_000_000


def newest(kind: str) -> Path | None:
    found = sorted((BUNDLE / kind).glob(f"*.{kind}"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def deb_contents(deb: Path) -> dict[str, int]:
    """Each regular file in the .deb with its size (from `dpkg-deb --contents`)."""
    out = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], check=True, capture_output=True, text=True
    ).stdout
    files = {}
    for line in out.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and fields[0].startswith("-"):
            files["/" + fields[5].removeprefix(".").lstrip("/")] = int(fields[2])
    return files


def main() -> None:
    deb = newest("deb")
    if deb is None:
        sys.exit(f"no .deb under {BUNDLE}: run `make package` first")
    files = deb_contents(deb)
    installed = sum(files.values())
    control = int(
        subprocess.run(
            ["dpkg-deb", "--field", str(deb), "Installed-Size"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    print(f"packages ({deb.parent.parent}):")
    print(f"  {deb.name}: {deb.stat().st_size / MB:.1f} MB")
    rpm = newest("rpm")
    if rpm is not None:
        print(f"  {rpm.name}: {rpm.stat().st_size / MB:.1f} MB")
    print(
        f"  installed from the .deb: {installed / MB:.1f} MB in {len(files)} files "
        f"(control's Installed-Size: {control} KiB)"
    )
    for binary in ("/usr/bin/klaxon-app", "/usr/bin/klaxon"):
        if binary in files:
            print(f"    {binary}: {files[binary] / MB:.1f} MB")


if __name__ == "__main__":
    main()
