import subprocess
import sys


def run_script(tmp_path, body):
    script = tmp_path / "script.py"
    script.write_text(
        "from clinical_ner.logs import configure_logging\n"
        "from clinical_ner.errors import InputError\n"
        f"configure_logging({str(tmp_path / 'job.log')!r})\n" + body
    )
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)


def test_bad_input_is_one_clear_line_without_traceback(tmp_path):
    run = run_script(tmp_path, "raise InputError('corpus/doc1.ann', 'span 5-9 is past the end of the text', 3)\n")
    assert run.returncode == 1
    assert "corpus/doc1.ann:3: span 5-9 is past the end of the text" in run.stderr
    assert "Traceback" not in run.stderr
    assert "doc1.ann:3" in (tmp_path / "job.log").read_text()


def test_other_errors_keep_their_traceback_in_the_log(tmp_path):
    run = run_script(tmp_path, "def deep():\n    raise RuntimeError('boom')\ndeep()\n")
    assert run.returncode == 1
    log = (tmp_path / "job.log").read_text()
    assert "Traceback" in log and "boom" in log
