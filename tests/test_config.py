from pathlib import Path

import pytest

from archive.config import Settings


def test_defaults_live_under_data() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///data/archive.sqlite3"
    assert settings.data_dir == Path("data")
    assert settings.warc_dir == Path("data/warc")
    assert settings.redis_url is None
    assert settings.browser is None


def test_data_dir_moves_the_default_database() -> None:
    settings = Settings.from_env({"FAZHI_DATA_DIR": "/srv/fazhi"})
    assert settings.database_url == "sqlite:////srv/fazhi/archive.sqlite3"
    assert settings.spool_dir == Path("/srv/fazhi/spool")


def test_postgres_urls_use_psycopg3() -> None:
    settings = Settings.from_env({"FAZHI_DATABASE_URL": "postgresql://u@db:5432/fazhi"})
    assert settings.database_url == "postgresql+psycopg://u@db:5432/fazhi"


def test_misspelt_setting_is_an_error() -> None:
    with pytest.raises(ValueError, match="FAZHI_DATABSE_URL"):
        Settings.from_env({"FAZHI_DATABSE_URL": "sqlite://"})


def test_every_setting_is_in_the_configuration_doc() -> None:
    from archive.config import _KNOWN

    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert [name for name in sorted(_KNOWN) if f"| `{name}` |" not in doc] == []
