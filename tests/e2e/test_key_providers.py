"""The real CLI with the root key in a SoftHSM2 token (pkcs11) or in STRONGROOM_ROOT_KEY (env)."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest

from strongroom.adapters.keyproviders import KeyProviderOptions

from .harness import base_env, run_cli, run_cli_json, unique

pytestmark = pytest.mark.e2e


def hsm_env(home: Path, softhsm: KeyProviderOptions, **changes: str) -> dict[str, str]:
    """A CLI environment using the test's SoftHSM2 token; no root passphrase at all."""
    env = base_env(home, None)
    assert env["SOFTHSM2_CONF"] == os.environ["SOFTHSM2_CONF"]  # read by SoftHSM2, not by us
    env |= {
        "STRONGROOM_KEY_PROVIDER": "pkcs11",
        "STRONGROOM_PKCS11_MODULE": str(softhsm.pkcs11_module),
        "STRONGROOM_PKCS11_TOKEN_LABEL": str(softhsm.pkcs11_token_label),
        "STRONGROOM_PKCS11_PIN": str(softhsm.pkcs11_pin),
    }
    return env | changes


def env_key_env(home: Path, root_key: str) -> dict[str, str]:
    return base_env(home, None) | {
        "STRONGROOM_KEY_PROVIDER": "env",
        "STRONGROOM_ROOT_KEY": root_key,
    }


def new_root_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a failed command (no traceback)."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def assert_home_works(env: dict[str, str], home: Path) -> None:
    """``sources create`` and ``sources list`` work, and no root key file was written."""
    name = unique("web-shop")
    created = run_cli_json("sources", "create", name, "--channel", "web", env=env)
    assert created["write_key"].startswith("srk_")
    assert name in run_cli("sources", "list", env=env).stdout
    run_cli("audit", "verify", env=env)
    assert not (home / "root.key").exists()


def test_init_and_sources_work_with_the_root_key_in_an_hsm(
    tmp_path: Path, softhsm: KeyProviderOptions
) -> None:
    home = tmp_path / "home"
    env = hsm_env(home, softhsm)

    initialised = run_cli("init", env=env)

    assert f"pkcs11:{softhsm.pkcs11_token_label}/strongroom-root" in initialised.stdout
    assert_home_works(env, home)


def test_a_wrong_pin_stops_every_command_with_one_line(
    tmp_path: Path, softhsm: KeyProviderOptions
) -> None:
    home = tmp_path / "home"
    run_cli("init", env=hsm_env(home, softhsm))
    wrong_pin = "wrong-pin-31337"

    line = one_line_error(
        run_cli(
            "sources",
            "list",
            env=hsm_env(home, softhsm, STRONGROOM_PKCS11_PIN=wrong_pin),
            check=False,
        )
    )

    assert "refused the PIN" in line
    assert wrong_pin not in line
    assert str(softhsm.pkcs11_pin) not in line


def test_a_second_data_home_cannot_take_the_same_hsm_key_label(
    tmp_path: Path, softhsm: KeyProviderOptions
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    run_cli("init", env=hsm_env(first, softhsm))

    line = one_line_error(run_cli("init", env=hsm_env(second, softhsm), check=False))

    assert "already holds an object labelled 'strongroom-root'" in line
    assert_home_works(hsm_env(first, softhsm), first)
    run_cli("init", env=hsm_env(second, softhsm, STRONGROOM_PKCS11_KEY_LABEL="second-root"))
    assert_home_works(hsm_env(second, softhsm, STRONGROOM_PKCS11_KEY_LABEL="second-root"), second)


def test_init_and_sources_work_with_the_root_key_in_the_environment(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = env_key_env(home, new_root_key())

    initialised = run_cli("init", env=env)

    assert "STRONGROOM_ROOT_KEY" in initialised.stdout
    assert_home_works(env, home)


def test_another_environment_root_key_cannot_open_the_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli("init", env=env_key_env(home, new_root_key()))
    other = new_root_key()

    line = one_line_error(run_cli("sources", "list", env=env_key_env(home, other), check=False))

    assert "root key" in line
    assert other not in line


def test_a_malformed_environment_root_key_is_refused_without_echoing_it(tmp_path: Path) -> None:
    short = base64.b64encode(os.urandom(20)).decode()

    line = one_line_error(run_cli("init", env=env_key_env(tmp_path / "home", short), check=False))

    assert "decodes to 20 bytes, not 32" in line
    assert short not in line
