#!/bin/sh
# A student's Jupyter server in a class (docs/TEACHING.md): the hub's spawner runs this, as the student, with the
# command and every argument it would have run (jupyterhub-singleuser --port=… --notebook-dir=…), which it passes on.
# On the first start it copies the course's notebooks (the learner editions) into ~/rnn-lessons/notebooks, writable
# by the student alone; it keeps the home private, since Debian makes homes readable by every user.
set -eu
course="$(cd "$(dirname "$0")/.." && pwd)"
umask 077
chmod go-rwx "$HOME"
mkdir -p "$HOME/rnn-lessons"
if [ ! -d "$HOME/rnn-lessons/notebooks" ]; then
  mkdir "$HOME/rnn-lessons/notebooks"
  # install, not cp: a copy of the read-only course would stay read-only, and the student could not save.
  for notebook in "$course"/notebooks/*.ipynb; do
    install -m 600 "$notebook" "$HOME/rnn-lessons/notebooks/"
  done
fi
exec "$@"
