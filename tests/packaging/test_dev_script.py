"""packaging/dev.sh waits for another apt run instead of failing at once.

The script is sourced in bash with stand-ins for dpkg, apt-get and sudo on the
PATH: dpkg says every package is missing; apt-get records how it was called and
answers "Could not get lock" for its first tries, as apt does while another
process holds the package-lists lock."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCKED = "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)"


def _fake_bin(tmp_path: Path, locked_tries: int) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg": "#!/bin/sh\nexit 1\n",
        "sudo": '#!/bin/sh\nexec "$@"\n',
        "apt-get": f"""#!/bin/sh
echo "$*" >> "{tmp_path}/calls"
tries=$(cat "{tmp_path}/tries" 2>/dev/null || echo 0)
if [ "$tries" -lt {locked_tries} ]; then
    echo $((tries + 1)) > "{tmp_path}/tries"
    echo "{LOCKED}" >&2
    exit 100
fi
exit 0
""",
    }
    for name, text in scripts.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(0o755)
    return bin_dir


def _apt_install(tmp_path: Path, locked_tries: int, wait: int) -> subprocess.CompletedProcess:
    bin_dir = _fake_bin(tmp_path, locked_tries)
    script = f'source "{ROOT}/packaging/dev.sh"; apt_install libegl1 xvfb'
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "WAYMARK_APT_LOCK_WAIT": str(wait),
        "WAYMARK_APT_RETRY_EVERY": "0",  # no real waiting in a test
        "HOME": str(tmp_path),
    }
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)


def test_a_locked_apt_is_waited_for_then_the_packages_install(tmp_path: Path) -> None:
    result = _apt_install(tmp_path, locked_tries=3, wait=600)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert ["update" in c for c in calls] == [True] * 4 + [False]  # three refused, the fourth ran
    install = calls[-1]
    assert "install" in install and "libegl1 xvfb" in install
    assert all("-o DPkg::Lock::Timeout=600" in c for c in calls)  # dpkg's own lock is waited for by apt
    assert "waiting for it" in result.stderr


def test_a_lock_held_past_the_wait_fails_with_apts_own_message(tmp_path: Path) -> None:
    result = _apt_install(tmp_path, locked_tries=1000, wait=0)
    assert result.returncode != 0
    assert "Could not get lock" in result.stderr
    assert "install" not in (tmp_path / "calls").read_text()


def test_sourcing_the_script_runs_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", "-c", f'source "{ROOT}/packaging/dev.sh" && type cmd_test >/dev/null && echo sourced'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "sourced"
