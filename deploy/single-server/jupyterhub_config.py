"""JupyterHub for one class of the backprop course on one Linux server (JupyterHub 6.1, nbgrader 0.9.6).

Real Unix accounts (PAM log-in), one JupyterLab per person started as that account by LocalProcessSpawner.
The class itself (accounts, groups, exchange, Jupyter config folders) is made by setup_class.py, which writes
/etc/backprop-course/class.json; this file only reads it. See docs/run-a-class.md.

    sudo /opt/backprop-course/venv/bin/jupyterhub -f deploy/single-server/jupyterhub_config.py

Students' servers: JupyterLab with nbgrader's Assignment List and Validate, instructor panels hidden
(JUPYTER_CONFIG_PATH=<etc>/student, the files scripts/lab.py writes). Instructors' servers (members of the Unix
group formgrade-<course>): the course list and Create Assignment panels too and formgrader in its own tab,
/user/<name>/formgrader (inside JupyterLab it is blank: JupyterHub >= 4.1 sends frame-ancestors 'none').

Settings that differ per machine come from the environment (all optional):
  BACKPROP_CLASS_ETC        folder of class.json (default /etc/backprop-course)
  BACKPROP_HUB_BIND_URL     public URL the proxy listens on (default http://:8000; put TLS in front, or set
                            c.JupyterHub.ssl_cert / ssl_key below)
  BACKPROP_HUB_API_URL      the hub's own API address (default http://127.0.0.1:8081)
  BACKPROP_PROXY_API_URL    the proxy's API address (default http://127.0.0.1:8001)
  BACKPROP_HUB_STATE        folder for the hub's database, cookie secret and proxy pid (default /srv/jupyterhub)
  BACKPROP_HUB_ADMIN_TOKEN  if set: a service "class-admin" with this token may manage users, servers and tokens
                            through the REST API (scripts, tests); keep it secret like a root password
  BACKPROP_SPAWNER_PORT_MIN / _MAX  range of single-user ports (default 50000-59999)
"""
import grp
import json
import os
import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

ETC = Path(os.environ.get("BACKPROP_CLASS_ETC", "/etc/backprop-course"))
STATE = Path(os.environ.get("BACKPROP_HUB_STATE", "/srv/jupyterhub"))
CLASS_FILE = ETC / "class.json"
if not CLASS_FILE.is_file():
    sys.exit(f"jupyterhub_config.py: {CLASS_FILE} is missing: run deploy/single-server/setup_class.py first "
             "(or set BACKPROP_CLASS_ETC)")
CLASS = json.loads(CLASS_FILE.read_text())
COURSE_ID = CLASS["course_id"]
STUDENTS_GROUP = CLASS["groups"]["students"]
INSTRUCTORS_GROUP = CLASS["groups"]["instructors"]
BIN = Path(sys.executable).parent  # the hub's Python: jupyterhub-singleuser, jupyterlab and nbgrader live here

# --- network -------------------------------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("BACKPROP_HUB_BIND_URL", "http://:8000")
c.JupyterHub.hub_bind_url = os.environ.get("BACKPROP_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.api_url = os.environ.get("BACKPROP_PROXY_API_URL", "http://127.0.0.1:8001")
# c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/hub.example.org/fullchain.pem"
# c.JupyterHub.ssl_key = "/etc/letsencrypt/live/hub.example.org/privkey.pem"

# --- the hub's own state: root-only ----------------------------------------------------------------------------
STATE.mkdir(parents=True, exist_ok=True)
os.chmod(STATE, 0o700)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every server it started
c.JupyterHub.cleanup_proxy = True

# --- who may log in --------------------------------------------------------------------------------------------
# PAM (the machine's passwords) for the accounts setup_class.py made; only members of the class's two groups.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(CLASS["students"]) | set(CLASS["instructors"])
c.LocalAuthenticator.create_system_users = False   # accounts come from setup_class.py, never from the hub
c.JupyterHub.load_groups = {
    STUDENTS_GROUP: {"users": CLASS["students"]},
    INSTRUCTORS_GROUP: {"users": CLASS["instructors"]},
}
# Instructors are not hub admins by default (an admin can open every student's server). To let them:
# c.Authenticator.admin_users = set(CLASS["instructors"])

ADMIN_TOKEN = os.environ.get("BACKPROP_HUB_ADMIN_TOKEN")
if ADMIN_TOKEN:
    c.JupyterHub.services = [{"name": "class-admin", "api_token": ADMIN_TOKEN}]
    c.JupyterHub.load_roles = [{
        "name": "class-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "read:hub", "list:users", "admin:groups"],
        "services": ["class-admin"],
    }]

# --- single-user servers: JupyterLab as the person's own Unix account ------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"        # fetched assignments land in the home folder, beside ~/course
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.Spawner.port = 0                  # a random free port per server
c.Spawner.environment = {"MPLBACKEND": "Agg"}


def _is_instructor(name: str) -> bool:
    try:
        return name in grp.getgrnam(INSTRUCTORS_GROUP).gr_mem
    except KeyError:
        return False


def pre_spawn_hook(spawner):
    """Refuse people outside the class; give students and instructors their own Jupyter config folder."""
    name = spawner.user.name
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise RuntimeError(f"{name} has no Unix account on this machine: run setup_class.py with the roster")
    role = "instructor" if _is_instructor(name) else "student"
    if role == "student" and name not in CLASS["students"]:
        raise RuntimeError(f"{name} is not on the roster of {COURSE_ID}")
    spawner.environment["JUPYTER_CONFIG_PATH"] = CLASS["config_path"][role]
    spawner.environment["BACKPROP_EXCHANGE"] = CLASS["exchange"]
    # nbgrader reads the Unix login name (and maps only `jovyan` to JUPYTERHUB_USER): here they are the same.


c.Spawner.pre_spawn_hook = pre_spawn_hook
# Idle servers cost memory (~125 MB each): stop them after an hour without activity, e.g. with
# jupyterhub-idle-culler (pip install jupyterhub-idle-culler; see docs/run-a-class.md).
