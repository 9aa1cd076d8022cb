"""The module as a whole: public names, imports, import-time behaviour
(README: the opening promises "One file, no dependencies" and "Light"; "Providers")."""

from __future__ import annotations

import ast
import inspect
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import types
import unittest

import minicreds
from tests import support

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(REPO, "minicreds.py")
TIMEOUT = 120  # only stops a hang

# The MinIO SDK's credentials API (README: "A drop-in for `minio.credentials`").
MINIO_SDK_NAMES = (
    "Credentials",
    "Provider",
    "StaticProvider",
    "EnvAWSProvider",
    "EnvMinioProvider",
    "AWSConfigProvider",
    "MinioClientConfigProvider",
    "IamAwsProvider",
    "AssumeRoleProvider",
    "WebIdentityProvider",
    "ClientGrantsProvider",
    "LdapIdentityProvider",
    "CertificateIdentityProvider",
    "ChainedProvider",
)
EXTRA_NAMES = (
    "RefreshingProvider",
    "ContainerProvider",
    "ProcessProvider",
    "SSOProvider",
    "default_provider",
    "sign_request",
    "CredentialsError",
    "ConfigError",
    "STSError",
    "TransportError",
    "__version__",
)

# README, "Light.": never loaded by `import minicreds`.
MUST_NOT_LOAD = (
    "urllib.request",
    "http.client",
    "ssl",
    "xml.etree",
    "xml.etree.ElementTree",
    "configparser",
    "hmac",
    "subprocess",
    "typing",
)
# README, "Light.", and the house rules: imported where first needed.
SHOULD_NOT_LOAD = ("logging", "datetime", "threading", "json", "re")

# Python 3.8 and 3.9 have no sys.stdlib_module_names: the top-level standard
# modules a credentials library could plausibly use.
_STDLIB_ALLOWLIST = frozenset(
    [
        "__future__",
        "_datetime",
        "_sha1",
        "_thread",
        "abc",
        "argparse",
        "atexit",
        "base64",
        "binascii",
        "bisect",
        "calendar",
        "codecs",
        "collections",
        "concurrent",
        "configparser",
        "contextlib",
        "copy",
        "dataclasses",
        "datetime",
        "decimal",
        "email",
        "enum",
        "errno",
        "fcntl",
        "fnmatch",
        "functools",
        "getpass",
        "glob",
        "hashlib",
        "heapq",
        "hmac",
        "html",
        "http",
        "inspect",
        "io",
        "ipaddress",
        "itertools",
        "json",
        "locale",
        "logging",
        "math",
        "msvcrt",
        "ntpath",
        "numbers",
        "operator",
        "os",
        "pathlib",
        "platform",
        "posixpath",
        "pwd",
        "queue",
        "random",
        "re",
        "secrets",
        "select",
        "selectors",
        "shlex",
        "shutil",
        "signal",
        "socket",
        "ssl",
        "stat",
        "string",
        "struct",
        "subprocess",
        "sys",
        "tempfile",
        "termios",
        "textwrap",
        "threading",
        "time",
        "traceback",
        "tty",
        "types",
        "typing",
        "unicodedata",
        "urllib",
        "uuid",
        "warnings",
        "weakref",
        "winreg",
        "xml",
        "zlib",
    ]
)


def _is_stdlib(name: str) -> bool:
    top = name.split(".")[0]
    names = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if names is not None:
        return top in names
    return top in _STDLIB_ALLOWLIST


def _run_python(code: str, *args: str, cwd: str = REPO, env=None):
    """Run code in a fresh interpreter: no site (no .pth side effects), no bytecode
    written (-I ignores PYTHONDONTWRITEBYTECODE)."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "-B", *args, "-c", code],
        cwd=cwd,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


class PublicNamesTest(unittest.TestCase):
    def test_all_is_a_sequence_of_unique_strings(self):
        names = minicreds.__all__
        self.assertIsInstance(names, (list, tuple))
        self.assertTrue(all(isinstance(n, str) for n in names))
        self.assertEqual(len(names), len(set(names)), "duplicates in __all__")

    def test_every_name_in_all_exists(self):
        for name in minicreds.__all__:
            with self.subTest(name=name):
                self.assertTrue(hasattr(minicreds, name))

    def test_documented_names_present(self):
        for name in MINIO_SDK_NAMES + EXTRA_NAMES:
            with self.subTest(name=name):
                self.assertIn(name, minicreds.__all__)
                self.assertTrue(hasattr(minicreds, name))

    def test_no_private_name_in_all(self):
        for name in minicreds.__all__:
            with self.subTest(name=name):
                if name == "__version__":
                    continue
                self.assertFalse(name.startswith("_"), name)

    def test_public_classes_and_functions_are_in_all(self):
        missing = []
        for name, value in vars(minicreds).items():
            if name.startswith("_"):
                continue
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            if getattr(value, "__module__", None) != "minicreds":
                continue
            if name not in minicreds.__all__:
                missing.append(name)
        self.assertEqual(missing, [], "public but not in __all__ (prefix with _)")

    def test_no_other_public_values(self):
        # Constants and helpers are private (everything not in __all__ starts with an
        # underscore, as in typing_extensions). Imported modules, the __future__
        # feature and a TYPE_CHECKING flag are the only exceptions.
        import __future__

        leaked = []
        for name, value in vars(minicreds).items():
            if name.startswith("_") or name in minicreds.__all__:
                continue
            if isinstance(value, types.ModuleType):
                continue
            if isinstance(value, __future__._Feature) or name == "TYPE_CHECKING":
                continue
            leaked.append(name)
        self.assertEqual(leaked, [])

    def test_all_classes_and_functions_defined_here(self):
        for name in minicreds.__all__:
            value = getattr(minicreds, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                with self.subTest(name=name):
                    self.assertEqual(value.__module__, "minicreds")

    def test_public_names_have_docstrings(self):
        for name in minicreds.__all__:
            value = getattr(minicreds, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                with self.subTest(name=name):
                    self.assertTrue(inspect.getdoc(value))

    def test_version(self):
        self.assertIsInstance(minicreds.__version__, str)
        self.assertRegex(minicreds.__version__, r"^\d+\.\d+")


class SourceImportsTest(unittest.TestCase):
    def imported_names(self):
        with open(SOURCE, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), SOURCE)
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                self.assertEqual(node.level, 0, f"relative import, line {node.lineno}")
                found.append((node.module, node.lineno))
        return found

    def test_only_stdlib_imports(self):
        found = self.imported_names()
        self.assertTrue(found)
        for name, lineno in found:
            with self.subTest(module=name, line=lineno):
                self.assertTrue(
                    _is_stdlib(name), f"{name} (line {lineno}) is not stdlib"
                )

    def test_no_dynamic_imports(self):
        with open(SOURCE, encoding="utf-8") as handle:
            text = handle.read()
        self.assertNotIn("__import__(", text)
        self.assertNotIn("importlib.import_module", text)

    def test_future_annotations(self):
        with open(SOURCE, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), SOURCE)
        futures = [
            alias.name
            for node in tree.body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
            for alias in node.names
        ]
        self.assertIn("annotations", futures)

    def test_allowlist_agrees_with_stdlib_module_names(self):
        names = getattr(sys, "stdlib_module_names", None)
        if names is None:
            self.skipTest("sys.stdlib_module_names is Python 3.10+")
        self.assertEqual(sorted(_STDLIB_ALLOWLIST - names), [])


_PROBE = textwrap.dedent(
    """
    import sys, os
    sys.path.insert(0, %(repo)r)
    events = []
    roots = tuple(os.path.abspath(p) for p in sys.path if p)
    def hook(event, args):
        if event == "open":
            path = str(args[0])
            # The import system reading module sources and bytecode.
            if path.endswith((".py", ".pyc", ".so")):
                return
        elif event in ("os.listdir", "os.scandir"):
            # The import system listing sys.path entries and packages.
            if os.path.abspath(str(args[0])).startswith(roots):
                return
        elif not event.startswith(
            ("socket.", "subprocess.", "os.system", "os.exec", "os.spawn",
             "os.fork", "os.posix_spawn", "urllib.", "http.", "os.putenv",
             "os.unsetenv", "ctypes.", "shutil.", "os.remove", "os.rename",
             "os.mkdir", "os.chmod")
        ):
            return
        events.append((event, repr(args)[:200]))
    class Spy(dict):
        reads = []
        def __getitem__(self, key):
            self.reads.append(key)
            return dict.__getitem__(self, key)
        def get(self, key, default=None):
            self.reads.append(key)
            return dict.get(self, key, default)
        def __contains__(self, key):
            self.reads.append(key)
            return dict.__contains__(self, key)
        def __iter__(self):
            self.reads.append("<iter>")
            return dict.__iter__(self)
        def keys(self):
            self.reads.append("<keys>")
            return dict.keys(self)
        def items(self):
            self.reads.append("<items>")
            return dict.items(self)
    real_environ = os.environ
    os.environ = Spy(real_environ)
    before = set(sys.modules)
    sys.addaudithook(hook)
    import minicreds
    os.environ = real_environ
    loaded = sorted(set(sys.modules) - before)
    handlers = None
    if "logging" in sys.modules:
        import logging
        handlers = [repr(h) for h in logging.getLogger().handlers]
        handlers += [repr(h) for h in logging.getLogger("minicreds").handlers]
    sys.stdout.write("RESULT %%r\\n" %% ({
        "loaded": loaded,
        "events": events,
        "environ_reads": Spy.reads,
        "handlers": handlers,
        "threads": sys.modules["threading"].active_count()
                   if "threading" in sys.modules else 1,
    },))
    """
)


class TestLayoutTest(unittest.TestCase):
    """What test modules share lives in support modules (tests/support.py,
    tests/fakes.py, ...): no test module imports another, so each can be read, run
    and changed on its own."""

    def test_no_test_module_imports_another(self):
        import ast

        folders = (os.path.join(REPO, "tests"), os.path.join(REPO, "tests", "interop"))
        found = []
        for folder in folders:
            for entry in sorted(os.listdir(folder)):
                if not entry.endswith(".py"):
                    continue
                with open(os.path.join(folder, entry), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    names = []
                    if isinstance(node, ast.Import):
                        names = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.module:
                        names = [node.module]
                        names += [f"{node.module}.{a.name}" for a in node.names]
                    for name in names:
                        if name.split(".")[-1].startswith("test_"):
                            found.append(f"{entry}:{node.lineno} imports {name}")
        self.assertEqual(found, [])


class ImportBehaviourTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        proc = _run_python(_PROBE % {"repo": REPO})
        cls.proc = proc
        cls.result = None
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                cls.result = ast.literal_eval(line[len("RESULT ") :])

    def setUp(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertIsNotNone(self.result, self.proc.stdout)

    def test_no_output(self):
        self.assertEqual(self.proc.stderr, "")
        others = [
            ln for ln in self.proc.stdout.splitlines() if not ln.startswith("RESULT ")
        ]
        self.assertEqual(others, [])

    def test_heavy_modules_not_loaded(self):
        loaded = set(self.result["loaded"])
        for name in MUST_NOT_LOAD:
            with self.subTest(module=name):
                self.assertNotIn(name, loaded)
        self.assertEqual(
            [m for m in loaded if m.startswith(("xml", "urllib.request"))], []
        )

    def test_lazy_modules_not_loaded(self):
        loaded = set(self.result["loaded"])
        for name in SHOULD_NOT_LOAD:
            with self.subTest(module=name):
                self.assertNotIn(name, loaded)

    def test_small_import_footprint(self):
        # Beyond os, sys and time, very little belongs at module level
        # (README, "Light." and "Performance"). Anything new here needs a reason.
        loaded = [m for m in self.result["loaded"] if m != "minicreds"]
        self.assertLessEqual(len(loaded), 12, loaded)

    def test_no_file_network_or_process_activity(self):
        self.assertEqual(self.result["events"], [])

    def test_environment_not_read(self):
        self.assertEqual(self.result["environ_reads"], [])

    def test_no_log_handlers(self):
        self.assertFalse(self.result["handlers"])

    def test_no_threads_started(self):
        self.assertEqual(self.result["threads"], 1)


class ProfileRetrieveImportsTest(unittest.TestCase):
    """README, "Light.": reading the AWS config files needs no configparser (the
    files are read by minicreds's own reader, as configparser reads them)."""

    def test_profile_retrieve_does_not_load_configparser(self):
        home = tempfile.mkdtemp(prefix="minicreds-imports-")
        self.addCleanup(shutil.rmtree, home, True)
        os.mkdir(os.path.join(home, ".aws"))
        files = {
            "credentials": "[dev]\naws_access_key_id = AKIAIMPORTS\n"
            "aws_secret_access_key = imports-secret\n",
            "config": "[DEFAULT]\nregion = eu-west-1\n[profile dev]\n"
            "s3 =\n  addressing_style = path\n",
        }
        for name, text in files.items():
            with open(os.path.join(home, ".aws", name), "w") as handle:
                handle.write(text)
        code = (
            f"import sys; sys.path.insert(0, {REPO!r}); import minicreds;"
            "creds = minicreds.AWSConfigProvider(profile='dev').retrieve();"
            "chain = minicreds.default_provider(profile='dev').retrieve();"
            "print(creds.access_key, chain.access_key, 'configparser' in sys.modules)"
        )
        proc = _run_python(code, env=support.minimal_environ(home))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, "AKIAIMPORTS AKIAIMPORTS False\n")


class CopiedAloneTest(unittest.TestCase):
    def test_single_file_works_isolated(self):
        tmp = tempfile.mkdtemp(prefix="minicreds-alone-")
        self.addCleanup(shutil.rmtree, tmp, True)
        shutil.copy(SOURCE, os.path.join(tmp, "minicreds.py"))
        env = support.minimal_environ(
            tmp,
            AWS_ACCESS_KEY_ID="AKIACOPIEDALONE01",
            AWS_SECRET_ACCESS_KEY="sEcReT-alone-3f0e",
            AWS_SESSION_TOKEN="ToKeN-alone-77aa",
        )
        code = (
            f"import sys; sys.path.insert(0, {tmp!r}); import minicreds;"
            "c = minicreds.EnvAWSProvider().retrieve();"
            "print(minicreds.__file__); print(c.access_key, c.session_token)"
        )
        proc = _run_python(code, cwd=tmp, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertEqual(
            os.path.realpath(lines[0]),
            os.path.realpath(os.path.join(tmp, "minicreds.py")),
        )
        self.assertEqual(lines[1], "AKIACOPIEDALONE01 ToKeN-alone-77aa")
        self.assertEqual(sorted(os.listdir(tmp)), ["minicreds.py"])


if __name__ == "__main__":
    unittest.main()
