"""The README's quickstart runs as written: every `copytrace` command of its shell blocks, and its
Python blocks, in order, from a folder laid out like the repository."""

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from copytrace.cli import app

ROOT = Path(__file__).resolve().parents[1]


def quickstart_blocks() -> list[tuple[str, str]]:
    """(language, code) of each fenced block of the README's Quickstart section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Quickstart") : readme.index("\n## ", readme.index("## Quickstart") + 1)]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def test_the_readme_is_short_and_its_quickstart_has_the_five_tasks():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    blocks = quickstart_blocks()
    assert [lang for lang, _ in blocks] == ["sh", "sh", "sh", "python", "python"]
    for page in re.findall(r"\]\((docs/[\w./-]+)\)", readme):
        assert (ROOT / page).is_file(), page


def test_the_quickstart_runs_as_written(tmp_path, monkeypatch, capsys):
    for name in ("examples", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for lang, code in quickstart_blocks():
        if lang == "sh":
            for line in code.splitlines():
                command = shlex.split(line.split("#", 1)[0])
                assert command[0] == "copytrace"
                result = runner.invoke(app, command[1:])
                assert result.exit_code == 0, (line, result.output)
        else:
            exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - the repository's own README
    printed = capsys.readouterr().out
    assert "c009-origin-capitalherald" in printed and "credited" in printed
    assert (tmp_path / "pages-report" / "index.html").is_file() and (tmp_path / "cascades-ws" / "pairs.parquet").is_file()
