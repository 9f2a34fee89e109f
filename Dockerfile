# A learner's Jupyter server for a class on JupyterHub (DockerSpawner, or KubeSpawner on Kubernetes): the hub
# starts one container from this image per learner. The course sits read-only in /opt/rnn-lessons; the course
# kernel is installed for every user and is the default of the "New" menu; each learner's notebooks, runs,
# reports and grades live in their own home (mount a volume there). See docs/TEACHING.md.
#
#   docker build -t rnn-lessons .
#   jupyterhub_config.py:  c.DockerSpawner.image = "rnn-lessons"
#                          c.DockerSpawner.notebook_dir = "/home/jovyan"
#                          c.DockerSpawner.volumes = {"rnn-lessons-{username}": "/home/jovyan"}

# Node 20.6 or newer (the npm scripts run `node --import tsx`) on Debian bookworm, whose packages give Jupyter.
FROM node:20-bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client jupyterhub python3-numpy ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/rnn-lessons
COPY package.json package-lock.json ./
# The dependencies' own install scripts are not needed (zeromq ships prebuilt binaries).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
# The kernel for every user of Debian's Jupyter (prefix /usr), the default of the New menu; then the course
# folder becomes read-only: learners write in their home (src/course.ts learnerRoot: ~/rnn-lessons).
RUN npm run kernel:install -- --sys-prefix && chmod -R a-w /opt/rnn-lessons

# A learner: jovyan, as in the Jupyter Docker Stacks; the first start copies the notebooks into their home.
RUN useradd --create-home --uid 1000 jovyan
USER jovyan
WORKDIR /home/jovyan
ENV RNN_LESSONS_HOME=/home/jovyan/rnn-lessons
CMD ["sh", "-c", "[ -d rnn-lessons/notebooks ] || { mkdir -p rnn-lessons && cp -r /opt/rnn-lessons/notebooks rnn-lessons/; }; exec jupyterhub-singleuser --ip=0.0.0.0"]
