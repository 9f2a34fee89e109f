# A class on one Linux machine (docs/TEACHING.md): JupyterHub logs students in with their Linux accounts (PAM) and
# starts each one's Jupyter server as that user with the spawner that ships with JupyterHub (LocalProcessSpawner).
# The students' release of the course (npm run release) sits read-only in COURSE; a student's first start copies
# its notebooks into ~/rnn-lessons/notebooks, writable by them alone, and keeps their home private
# (scripts/singleuser.sh). Start it as root: jupyterhub -f /etc/jupyterhub/jupyterhub_config.py
import os

COURSE = "/opt/rnn-lessons"  # where `npm run release -- /opt/rnn-lessons` put the students' release

# Who may log in: local accounts (PAM), by name or by group; admins can see the hub's admin page.
c.Authenticator.allowed_users = {"alice", "bob"}
# c.PAMAuthenticator.allowed_groups = {"students"}
c.Authenticator.admin_users = set()

# Listen on this machine only; put an HTTPS reverse proxy in front (or set c.JupyterHub.ssl_key and ssl_cert).
c.JupyterHub.bind_url = "http://127.0.0.1:8000"

c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [f"{COURSE}/scripts/singleuser.sh", "jupyterhub-singleuser"]
c.Spawner.notebook_dir = "~/rnn-lessons"
c.Spawner.default_url = "/tree/notebooks"
c.Spawner.start_timeout = 120

# Debian's configurable-http-proxy keeps its modules in /usr/share/nodejs, where Debian's own Node looks but the
# Node 20 the course needs (from outside Debian) does not: without this, "Cannot find module 'commander'".
c.ConfigurableHTTPProxy.command = ["env", "NODE_PATH=/usr/share/nodejs", "configurable-http-proxy"]

# The hub's own state (its database and cookie secret) in one folder that only root reads.
state = "/var/lib/jupyterhub"
os.makedirs(state, mode=0o700, exist_ok=True)
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
