"""A throw-away OpenLDAP server (Debian's slapd) on loopback, for the directory sign-in tests.

Its config and data live in a temporary directory; nothing of the machine's own slapd is read or
touched. Runs as root or as anyone, with no stdin, so CI starts it like a developer's machine does.
"""

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")

BASE_DN = "dc=partyreview,dc=test"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "directory-admin-secret"  # a throw-away test server


@dataclass(frozen=True)
class DirectoryPerson:
    uid: str
    password: str


@dataclass
class Slapd:
    uri: str
    people_base: str
    process: subprocess.Popen
    root: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def available() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists() and (SCHEMA_DIR / "inetorgperson.schema").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root: Path) -> str:
    schemas = "\n".join(f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis"))
    return f"""{schemas}
pidfile {root / "slapd.pid"}
argsfile {root / "slapd.args"}
modulepath {MODULE_DIR}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{BASE_DN}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {root / "data"}
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""


def _ldif(people: list[DirectoryPerson]) -> str:
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: partyreview\no: partyreview\n",
        f"dn: ou=people,{BASE_DN}\nobjectClass: organizationalUnit\nou: people\n",
    ]
    for person in people:
        entries.append(
            f"dn: uid={person.uid},ou=people,{BASE_DN}\n"
            "objectClass: inetOrgPerson\n"
            f"uid: {person.uid}\n"
            f"cn: {person.uid}\n"
            f"sn: {person.uid}\n"
            f"userPassword: {person.password}\n"
        )
    return "\n".join(entries)


def start(people: list[DirectoryPerson]) -> Slapd:
    root = Path(tempfile.mkdtemp(prefix="partyreview-slapd-"))
    (root / "data").mkdir()
    conf = root / "slapd.conf"
    conf.write_text(_config(root), encoding="utf-8")
    (root / "base.ldif").write_text(_ldif(people), encoding="utf-8")
    subprocess.run(
        [SLAPADD, "-f", str(conf), "-l", str(root / "base.ldif")],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    port = _free_port()
    uri = f"ldap://127.0.0.1:{port}/"
    # -d 0 keeps slapd in the foreground (a child we can stop), logging nothing.
    process = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", uri, "-d", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited: {process.stderr.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("slapd did not listen within 15 s")
    return Slapd(uri=uri, people_base=f"ou=people,{BASE_DN}", process=process, root=root)
