"""The grader keeps at most OUTPUT_LIMIT characters of each cell's output: the head, and a
note saying how much it dropped, however large one kernel message is."""

from __future__ import annotations

import nbformat

from book.grading.run import OUTPUT_LIMIT, CappedOutputClient


def _message(msg_type: str, **content) -> dict:
    return {"msg_type": msg_type, "header": {"msg_type": msg_type}, "parent_header": {},
            "content": content}


def _cell_outputs(*messages: dict) -> list:
    client = CappedOutputClient(nbformat.v4.new_notebook())
    client.clear_before_next_output = False  # set by execute_cell, which is not run here
    outs = []
    for message in messages:
        client.output(outs, message, None, 0)
    return outs


def _stream_text(outs, name: str) -> str:
    return "".join(o["text"] for o in outs if o.get("name") == name)


def test_one_enormous_line_keeps_its_head_and_says_how_much_was_dropped():
    line = "".join(chr(ord("a") + n % 26) for n in range(3 * OUTPUT_LIMIT))
    outs = _cell_outputs(_message("stream", name="stdout", text=line),
                         _message("stream", name="stdout", text="tail\n"))
    assert _stream_text(outs, "stdout") == line[:OUTPUT_LIMIT]
    dropped = len(line) - OUTPUT_LIMIT + len("tail\n")
    assert f"dropped {dropped:,} characters" in _stream_text(outs, "stderr")


def test_a_huge_display_output_is_dropped_and_counted_but_errors_are_kept():
    image = {"data": {"text/plain": "x" * (2 * OUTPUT_LIMIT)}, "metadata": {}}
    outs = _cell_outputs(_message("stream", name="stdout", text="small\n"),
                         _message("display_data", **image),
                         _message("error", ename="ValueError", evalue="bad", traceback=[]))
    assert [o["output_type"] for o in outs] == ["stream", "stream", "error"]
    assert _stream_text(outs, "stdout") == "small\n"
    assert "dropped" in _stream_text(outs, "stderr")
    kept = sum(len(o.get("text", "")) for o in outs if o["output_type"] == "stream")
    assert kept < OUTPUT_LIMIT


def test_output_under_the_limit_is_kept_whole():
    outs = _cell_outputs(_message("stream", name="stdout", text="a" * (OUTPUT_LIMIT - 1)))
    assert _stream_text(outs, "stdout") == "a" * (OUTPUT_LIMIT - 1)
    assert _stream_text(outs, "stderr") == ""
