"""The three codemods as libcst commands, for ``python -m libcst.tool``.

With ``modules: ['codemods.commands']`` in ``.libcst.codemod.yaml``,
``python -m libcst.tool list`` shows ``migrate.MigrateCommand``,
``strip.StripCommand`` and ``check.CheckCommand``, and ``python -m libcst.tool
codemod migrate.MigrateCommand src/`` runs one.  libcst's runner hands over one
file at a time: each command reads the rest of the file's package tree itself
(migrate's hierarchy checks), takes ``[tool.codemods]`` from the nearest
pyproject.toml, and reports its findings as libcst warnings.  What needs the
whole run (writing the new interface module, deleting the job pickler) is
``python -m codemods``'s: the commands say so in a warning where it applies.
"""
