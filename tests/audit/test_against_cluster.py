"""The ``MemtuiAction`` Event names its audit entry; ``verify --against-cluster`` compares the two.

Against the simulator (which serves the Events API as Kubernetes does): the executor applies real
fixes, then the log is damaged on disk the way someone covering their tracks would (including the
head beside it), and the Events still in the cluster give it away.
"""

from __future__ import annotations

import json

from memtui.audit import load_entries
from memtui.audit.canonical import GENESIS_HASH, entry_hash
from memtui.audit.cli import main


def memtui_events(kubectl) -> list[dict]:
    shown = kubectl("get", "events", "-n", "sap-llm", "-o", "json", check=True).stdout
    return [e for e in json.loads(shown)["items"] if e.get("reason") == "MemtuiAction"]


def apply_two_fixes(rig, catalogue):
    for action in ("fix.reduce-batch-size", "fix.limit-concurrency"):
        assert rig.executor.execute(rig.executor.plan(catalogue.get(action), {}, rig.ctx())).ok


def verify_against_cluster(capsys, rig, *extra):
    code = main(["verify", "--file", str(rig.audit_path), "--against-cluster",
                 "--kubeconfig", str(rig.sim.kubeconfig_path), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def drop_head(rig):
    (rig.audit_path.parent / (rig.audit_path.name + ".head")).unlink()


def test_the_event_names_the_intent_by_seq_and_hash(rig, catalogue, kubectl):
    apply_two_fixes(rig, catalogue)
    intents = [e for e in load_entries(rig.audit_path) if e.kind == "intent"]
    first = next(iter(load_entries(rig.audit_path)))
    events = sorted(memtui_events(kubectl), key=lambda e: int(e["metadata"]["annotations"]["audit.memtui.io/seq"]))
    assert [e["metadata"]["annotations"] for e in events] == [
        {"audit.memtui.io/seq": str(i.seq), "audit.memtui.io/hash": i.hash, "audit.memtui.io/entry": i.id,
         "audit.memtui.io/chain": first.hash}
        for i in intents
    ]
    assert events[0]["message"].endswith(f"(audit #{intents[0].seq} {intents[0].hash[:12]})")


def test_an_intact_log_matches_the_cluster(rig, catalogue, capsys):
    apply_two_fixes(rig, catalogue)
    code, out, err = verify_against_cluster(capsys, rig)
    assert code == 0, out + err
    assert "cluster: OK: 2 MemtuiAction Events in namespace sap-llm match the log" in out


def test_a_cut_log_without_its_head_is_caught_by_the_cluster(rig, catalogue, capsys):
    apply_two_fixes(rig, catalogue)
    lines = rig.audit_path.read_bytes().split(b"\n")[:-1]
    second_intent = next(i for i, line in enumerate(lines) if json.loads(line)["action"] == "fix.limit-concurrency")
    rig.audit_path.write_bytes(b"".join(line + b"\n" for line in lines[:second_intent]))
    drop_head(rig)  # the head would tell; whoever cut the file removed it too

    code, out, _ = verify_against_cluster(capsys, rig)
    assert code == 1
    assert out.startswith("OK:") and "end not checked" in out  # the file alone looks fine ...
    cluster = next(line for line in out.splitlines() if line.startswith("cluster:"))
    seq = second_intent + 1
    assert cluster.startswith("cluster: BROKEN: Event sap-llm-config.memtui-")  # ... the cluster does not
    assert f"records audit #{seq} (hash " in cluster and f"the log ends at seq {seq - 1}: its end was cut" in cluster


def test_a_rewritten_chain_is_caught_by_the_cluster(rig, catalogue, capsys):
    apply_two_fixes(rig, catalogue)
    # drop the first fix and recompute every hash and seq: a valid chain, and a new head to match
    objs = [json.loads(line) for line in rig.audit_path.read_bytes().split(b"\n")[:-1]]
    objs = [o for o in objs if o.get("action") != "fix.reduce-batch-size"]
    previous = GENESIS_HASH
    for seq, obj in enumerate(objs, start=1):
        obj.update(seq=seq, prev_hash=previous)
        obj.pop("hash")
        obj["hash"] = previous = entry_hash(obj)
    rig.audit_path.write_text("".join(json.dumps(o, separators=(",", ":")) + "\n" for o in objs))
    (rig.audit_path.parent / (rig.audit_path.name + ".head")).write_text(
        json.dumps({"seq": len(objs), "hash": previous, "chain": objs[0]["hash"]}))

    code, out, _ = verify_against_cluster(capsys, rig)
    assert code == 1 and out.startswith("OK: 2 entries, chain intact")  # the file alone looks fine
    # the kept fix is found by its entry id, and the Event of the removed one by their common chain
    cluster = [line for line in out.splitlines() if "cluster:" in line or "also:" in line]
    assert cluster[0].startswith("cluster: BROKEN: Event sap-llm-config.memtui-")
    assert "records audit #1 (hash" in cluster[0] and "the chain was rewritten" in cluster[0]
    assert "records audit #3 (hash" in cluster[1] and "the log holds that entry as #1" in cluster[1]
    assert "another audit log" not in out


def test_an_emptied_log_is_caught_by_head_and_cluster(rig, catalogue, capsys):
    apply_two_fixes(rig, catalogue)
    rig.audit_path.write_bytes(b"")
    code, out, _ = verify_against_cluster(capsys, rig, "--namespace", "sap-llm")
    assert code == 1
    assert out.startswith("BROKEN: emptied: the log has no entries")
    assert "cluster: BROKEN: Event " in out and "the log has no entries: its end was cut" in out


def test_an_unreachable_cluster_is_one_line(rig, catalogue, capsys, tmp_path):
    apply_two_fixes(rig, catalogue)
    rig.sim.stop()
    code, out, err = verify_against_cluster(capsys, rig)
    assert code == 2 and out.startswith("OK: ")
    assert err.count("\n") == 1 and err.startswith("memtui audit: error: cannot check against the cluster: ")
