"""The CI gate's reading of the unittest log (``.ci/run``): its last line sums up
``python3 -m unittest``, also when Python 3.14's unittest colours its closing lines
(it does when FORCE_COLOR is set, even into a pipe)."""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests import support

RUN = os.path.join(support.REPO, ".ci", "run")
BASH = shutil.which("bash")
RED, YELLOW, GREEN, RESET = "\x1b[1;31m", "\x1b[33m", "\x1b[1;32m", "\x1b[0m"


@unittest.skipUnless(BASH, "needs bash")
class SummaryTest(unittest.TestCase):
    def summarize(self, log):
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(log)
        self.addCleanup(os.unlink, f.name)
        proc = subprocess.run(
            [BASH, RUN, "--summarize", f.name],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout

    def test_plain_logs(self):
        cases = {
            "....\nRan 12 tests in 1.5s\n\nOK (skipped=2)\n": "10 passed, 0 failed",
            "Ran 1 test in 0.1s\n\nOK\n": "1 passed, 0 failed, 0 skipped",
            "Ran 9 tests in 2s\n\nFAILED (failures=1, errors=2, skipped=1, "
            "expected failures=1, unexpected successes=1)\n": "3 passed, 4 failed",
            "Traceback (most recent call last):\nKilled\n": "0 passed, 1 failed",
            # "expected failures=" is no "failures=".
            "Ran 893 tests in 80s\n\nOK (skipped=59, expected failures=11)\n": (
                "823 passed, 0 failed, 59 skipped"
            ),
            "Ran 8 tests in 2s\n\nFAILED (errors=1, expected failures=2)\n": (
                "5 passed, 1 failed, 0 skipped"
            ),
        }
        for log, summary in cases.items():
            with self.subTest(log=log):
                got = self.summarize(log)
                self.assertTrue(got.startswith(summary), got)

    def test_coloured_closing_lines(self):
        failed = (
            f"Ran 10 tests in 1.0s\n\n{RED}FAILED{RESET} ({RED}failures=2{RESET},"
            f" {RED}errors=1{RESET}, {YELLOW}skipped=1{RESET})\n"
        )
        self.assertEqual(self.summarize(failed), "6 passed, 3 failed, 1 skipped\n")
        ok = f"Ran 5 tests in 1.0s\n\n{GREEN}OK{RESET} ({YELLOW}skipped=1{RESET})\n"
        self.assertEqual(self.summarize(ok), "4 passed, 0 failed, 1 skipped\n")

    def test_the_unittest_step_runs_without_colours(self):
        with open(RUN) as f:
            script = f.read()
        step = script[script.index("# ---- 1.") : script.index("# ---- 2.")]
        self.assertIn("NO_COLOR=1", step)
        self.assertIn("-u FORCE_COLOR", step)


if __name__ == "__main__":
    unittest.main()
