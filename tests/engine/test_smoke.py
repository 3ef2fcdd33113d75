def test_simple_case_runs_to_completion(harness):
    harness.deploy("simple.bpmn")
    harness.user("ann", "office")
    harness.user("bob", "other")
    iid = harness.start("simple", "ann")
    assert harness.task_names("ann") == ["Fill"]
    assert harness.task_names("bob") == []
    harness.do("ann", "Fill", {"approved": True})
    assert harness.show(iid)["status"] == "completed"
