"""Where the build finds the training photos, the wild set and the weights."""
from asl import config


def test_wild_set_and_weights_are_found_beside_the_data(tmp_path, monkeypatch):
    monkeypatch.delenv("ASL_WILD", raising=False)
    monkeypatch.delenv("ASL_WEIGHTS", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "weights").mkdir()
    data = tmp_path / "data" / "asl-alphabet.zip"
    data.write_bytes(b"")
    assert config.wild_path(None, str(data)) == ""
    assert config.weights_path(None, str(data)) == ""
    (tmp_path / "data" / "asl-alphabet-test-wild.zip").write_bytes(b"")
    (tmp_path / "weights" / config.WEIGHTS_FILE).write_bytes(b"")
    assert config.wild_path(None, str(data)).endswith("asl-alphabet-test-wild.zip")
    assert config.weights_path(None, str(data)).endswith(config.WEIGHTS_FILE)


def test_flag_beats_environment_beats_discovery(tmp_path, monkeypatch):
    data = tmp_path / "asl.zip"
    data.write_bytes(b"")
    (tmp_path / "asl-alphabet-test-wild.zip").write_bytes(b"")   # would be discovered
    monkeypatch.setenv("ASL_WILD", "/from/env")
    assert config.wild_path("/from/flag", str(data)) == "/from/flag"
    assert config.wild_path(None, str(data)) == "/from/env"
    monkeypatch.delenv("ASL_WILD")
    assert config.wild_path(None, str(data)) == str(tmp_path / "asl-alphabet-test-wild.zip")
    monkeypatch.setenv("ASL_DATA", "/data/env")
    assert config.data_path(None) == "/data/env"
    monkeypatch.delenv("ASL_DATA")
    assert config.data_path(None) == str(config.PROJECT_ROOT / "data")
