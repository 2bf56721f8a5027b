"""[tool.codemods]: keys named as the command-line options, each type checked,
the old `excludes` still read with a warning."""

from __future__ import annotations

import pytest
from click_compat import CliRunner

from codemods import cli
from codemods.settings import Settings, SettingsError, load_settings

HOOK = "class Job:\n    def __getstate__(self):\n        raise TypeError('no')\n"


def write(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text("[tool.codemods]\n" + body)


@pytest.mark.parametrize("body, expected", [
    ('exclude = ["skip/"]', {"exclude": ("skip/",)}),
    ('job-methods = ["state_for_worker"]',
     {"job_methods": (*Settings().job_methods, "state_for_worker")}),
    ('job-method = ["state_for_worker"]',
     {"job_methods": (*Settings().job_methods, "state_for_worker")}),
    ('job_method = ["state_for_worker"]',
     {"job_methods": (*Settings().job_methods, "state_for_worker")}),
    ('pickling_predicate = ["needs_pickling"]',
     {"pickling_predicates": (*Settings().pickling_predicates, "needs_pickling")}),
    ('interface-module = "pkg.iface"', {"interface_module": "pkg.iface"}),
    ('interface_module = "pkg.iface"', {"interface_module": "pkg.iface"}),
    ('pickler-module = "pkg.jobpickler"', {"pickler_module": "pkg.jobpickler"}),
    ('pickling-predicates = ["needs_pickling"]',
     {"pickling_predicates": (*Settings().pickling_predicates, "needs_pickling")}),
    ("keep-guards = true", {"keep_guards": True}),
    ("include-generated = true", {"include_generated": True}),
])
def test_each_key(tmp_path, body, expected):
    write(tmp_path, body)
    settings = load_settings([tmp_path])
    for name, value in expected.items():
        assert getattr(settings, name) == value


@pytest.mark.parametrize("body, message", [
    ('exclude = "skip/"', "exclude must be a list of strings"),
    ("job-methods = [1]", "job-methods must be a list of strings"),
    ("interface-module = 3", "interface-module must be a string"),
    ('keep-guards = "yes"', "keep-guards must be true or false"),
    ("include-generated = 1", "include-generated must be true or false"),
    ("excluded = []", "unknown key 'excluded'"),
    ('exclude = ["a"]\nexcludes = ["b"]', "sets exclude twice"),
])
def test_wrong_keys_and_types_name_the_key(tmp_path, body, message):
    write(tmp_path, body)
    with pytest.raises(SettingsError, match=message):
        load_settings([tmp_path])
    (tmp_path / "job.py").write_text(HOOK)
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path)])
    assert result.exit_code == cli.EXIT_USAGE
    assert message in result.stderr


@pytest.mark.parametrize("body", ['[tool]\ncodemods = ["x"]\n', 'tool = "codemods"\n'])
def test_a_tool_codemods_that_is_no_table_is_a_usage_error(tmp_path, body):
    (tmp_path / "pyproject.toml").write_text(body)
    (tmp_path / "job.py").write_text(HOOK)
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path)])
    assert result.exit_code == cli.EXIT_USAGE
    assert ("tool must be a table ([tool]), not a str" if body.startswith("tool =") else
            "tool.codemods must be a table ([tool.codemods]), not a list") in result.stderr


def test_old_excludes_key_still_works_with_a_warning(tmp_path):
    write(tmp_path, 'excludes = ["skip/"]')
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "job.py").write_text(HOOK)
    result = CliRunner().invoke(cli.main, ["check", str(tmp_path)])
    assert "excludes is deprecated; name it 'exclude'" in result.stderr
    assert result.exit_code == cli.EXIT_OK  # the only hook is in the excluded folder
    warned = []
    assert load_settings([tmp_path], warn=warned.append).exclude == ("skip/",)
    assert len(warned) == 1


def test_command_line_wins_and_adds(tmp_path):
    write(tmp_path, 'exclude = ["a/"]\ninterface-module = "pkg.one"')
    settings = load_settings([tmp_path]).merged(exclude=("b/",), interface_module="pkg.two")
    assert settings.exclude == ("a/", "b/") and settings.interface_module == "pkg.two"
