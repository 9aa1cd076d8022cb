"""minicreds reads the AWS config and credentials files with a reader of its own, which
must read them as botocore's ``configparser.RawConfigParser`` does (README, "Failure
behaviour" and "Choices where the AWS SDKs differ or are silent"): the same sections
and values for every text configparser reads, the same refusal, at the same line, for
every text it refuses.

The reference below is configparser reading the text as botocore's configparser reads
a file (universal newlines: "\r" and "\r\n" end lines; minicreds's configparser-based
reader before this one split at "\n" only), its values checked as minicreds checks
them, run with the Python that runs this test: run the module under every Python tox
lists.
"""

from __future__ import annotations

import configparser
import io
import random
import unittest

import minicreds

COUNT = 4000  # generated texts per run
SEED = 20


def reference(text):
    """What minicreds's former reader made of ``text``: its sections, values checked,
    or the text of its ConfigError."""
    parser = configparser.RawConfigParser()
    try:
        # As botocore's configparser reads the file: text mode, universal newlines.
        parser.read_file(io.StringIO(text, newline=None))
    except configparser.Error as exc:
        line = getattr(exc, "lineno", 0) or getattr(exc, "errors", [[0]])[0][0]
        what = type(exc).__name__.replace("Error", "").lower() or "syntax"
        return f"cannot parse ({what} error at line {line})"
    try:
        return {
            name: {
                key: minicreds._checked_value(name, key, value)
                for key, value in parser.items(name, raw=True)
            }
            for name in parser.sections()
        }
    except minicreds.ConfigError as exc:
        return exc.what


def outcome(text):
    """What minicreds makes of ``text``: its sections, or the text of its error."""
    try:
        return minicreds._parse_ini(text)
    except minicreds.ConfigError as exc:
        return exc.what


# Pieces of lines: a line is an indent, a body and an ending.
INDENTS = ["", "", "", " ", "  ", "    ", "\t", "\xa0", "\u3000", "\x1c", " \x85"]
ENDINGS = ["", "", "", "", " ", "\t", "\r", "\x85", "\u2028", "\xa0", "\x0c"]
HEADERS = [
    "[default]", "[profile a]", "[profile b]", "[ profile  c ]", "[DEFAULT]",
    "[default]", "[A]", "[a]", "[]", "[]]", "[[x]", "[a]b]", "[a] tail", "[a]=b",
    "[", "[x", "[DEFAULT] x", "[sso-session s]", "[\tp\t]", "[p\x85q]", "[ ]",
]  # fmt: skip
OPTIONS = [
    "k = v", "K=v", "k:v", "k : v = w", "Key Name = v", "k\t=\tv", "k =", "k=",
    "k = a=b", "k\x85= v", "k\u2028 = v", "k \xa0= v", "s3 =", "x = 1", "a = 2",
    "region = us-east-1", "KEY=1", "aws_access_key_id = AKIA", "b:", "c = # no",
    "d = ; no", "e = [x]", "f = \x85v\x85", "g\x1c=\x1ch", "İ = dotted",
    "sso_start_url = https://x.example/start", "addressing_style = path",
]  # fmt: skip
RARE = ["= v", ": v", "=", "ab", "v", "a b c", " [", "#x=1", ";x=1"]  # bad, mostly
COMMENTS = ["# c", "; c", "#", ";", "# k = v", "#[a]"]
BLANKS = ["", "", " ", "\t", "\xa0", "\x85", "\x0b", "\u2028", "\r"]


def generated(chance):
    """A small INI text made of tricky pieces, a header first most of the time."""
    lines = [chance.choice(HEADERS)] if chance.random() < 0.9 else []
    for _ in range(chance.randint(0, 9)):
        roll = chance.random()
        if roll < 0.12:
            body = chance.choice(HEADERS)
        elif roll < 0.62:
            body = chance.choice(OPTIONS)
        elif roll < 0.7:
            body = chance.choice(RARE)
        elif roll < 0.8:
            body = chance.choice(COMMENTS)
        else:
            body = chance.choice(BLANKS)
        lines.append(chance.choice(INDENTS) + body + chance.choice(ENDINGS))
    return "\n".join(lines) + chance.choice(["", "\n", "\n\n", "\r\n"])


def kind(found):
    """The kind of an outcome: "ok", or the kind of refusal."""
    if isinstance(found, dict):
        return "ok"
    if "sub-properties" in found:
        return "sub-properties"
    return found.split(" error at line")[0].replace("cannot parse (", "")


class DifferentialTest(unittest.TestCase):
    """minicreds's reader against configparser on generated texts."""

    def test_generated_texts_read_as_configparser_reads_them(self):
        chance = random.Random(SEED)
        kinds = set()
        for _ in range(COUNT):
            text = generated(chance)
            expected = reference(text)
            kinds.add(kind(expected))
            with self.subTest(text=text):
                self.assertEqual(outcome(text), expected)
        # The texts reach every outcome: read, and each way of refusing.
        self.assertEqual(
            kinds,
            {
                "ok", "parsing", "duplicatesection", "duplicateoption",
                "missingsectionheader", "sub-properties",
            },
        )  # fmt: skip

    def test_chosen_texts_read_as_configparser_reads_them(self):
        texts = [
            "",
            "\n\n",
            "# only a comment\n",
            "[a]\n=x\n=y\n",  # the same empty name twice: a duplicate
            "[a]\nbad\n  k = v\n",  # continues nothing: a bad line's indent
            "[a]\nk = 1\nbad\n  more\n",  # the bad line's indent, k's value
            "[a]\nk = 1\n\n\n  more\n\n",  # blank lines inside a value
            "[a]\nk = 1\n# c\n  more\n",  # a comment inside a value
            "[a]\nk = 1\n  # not a comment\n",
            "[a]\n  k = 1\n  j = 2\n",  # the same indent: two options
            "[a]\n  k = 1\n j = 2\n",
            "[DEFAULT]\nr = 1\n[a]\nk = 2\n[DEFAULT]\ns = 3\n[b]\nr = 4\n",
            "[DEFAULT]\nr = 1\n[DEFAULT]\nr = 2\n",  # a duplicate across blocks
            "[a]\ns3 =\n  x = 1\n\n  y = 2\n",
            "[a]\ns3 =\n  x\n",  # a sub-property without "="
            "[a]\nk = \\\n  v\n",
            "k = v\n[a]\n",
            "  \n\t[a]\n",
            "[a]\r\nk = v\r\n",
            "[a]\rk = v\r",  # "\r" alone ends a line, as in a text-mode file
            "[a]\nk = v\n[a]\n",
            "[a]\nK = 1\nk = 2\n",
            "[a]\nk\u2028=\u2028v\u2028\n",
            "\ufeff[a]\n",  # a byte-order mark left in the text
        ]
        for text in texts:
            with self.subTest(text=text):
                self.assertEqual(outcome(text), reference(text))


class ReadingTest(unittest.TestCase):
    """What the reader gives, spelt out (configparser's rules, as botocore reads)."""

    def test_defaults_reach_every_section_and_are_no_section(self):
        text = "[DEFAULT]\nregion = eu-west-1\nout = json\n[a]\nout = text\n[b]\n"
        self.assertEqual(
            minicreds._parse_ini(text),
            {
                "a": {"region": "eu-west-1", "out": "text"},
                "b": {"region": "eu-west-1", "out": "json"},
            },
        )

    def test_names_are_lowered_sections_kept_as_written(self):
        text = "[Profile X]\nAWS_Access_Key_ID   = AKIA\nKey Name : v\n"
        self.assertEqual(
            minicreds._parse_ini(text),
            {"Profile X": {"aws_access_key_id": "AKIA", "key name": "v"}},
        )

    def test_continued_values_keep_inner_blank_lines_and_lose_trailing_ones(self):
        text = "[a]\nk = one\n  two\n\n  three\n\n\n[b]\n"
        self.assertEqual(
            minicreds._parse_ini(text), {"a": {"k": "one\ntwo\n\nthree"}, "b": {}}
        )

    def test_refusals_name_the_line_and_the_kind(self):
        for text, what in [
            ("[a]\nk = 1\nbad\nalso bad\n", "parsing error at line 3"),
            ("[a]\nbad\n[a]\n", "duplicatesection error at line 3"),
            ("[a]\nbad\nk = 1\nK = 2\n", "duplicateoption error at line 4"),
            ("\n# c\nk = 1\n[a]\n", "missingsectionheader error at line 3"),
        ]:
            with self.subTest(text=text):
                with self.assertRaises(minicreds.ConfigError) as ctx:
                    minicreds._parse_ini(text)
                self.assertEqual(ctx.exception.what, f"cannot parse ({what})")


if __name__ == "__main__":
    unittest.main()
