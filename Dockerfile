# A student's Jupyter server for a class on JupyterHub (DockerSpawner, or KubeSpawner on Kubernetes): the hub
# starts one container from this image per student. The image holds the students' release of the course
# (npm run release: learner editions only, no solutions, no hidden tests), read-only in /opt/rnn-lessons; the
# course kernel is installed for every user and is the default of the "New" menu; each student's notebooks,
# runs, reports and grades live in their own home (mount a volume there). See docs/TEACHING.md.
#
#   docker build -t rnn-lessons .
#   jupyterhub_config.py:  c.DockerSpawner.image = "rnn-lessons"
#                          c.DockerSpawner.notebook_dir = "/home/jovyan/rnn-lessons"
#                          c.DockerSpawner.volumes = {"rnn-lessons-{username}": "/home/jovyan"}

# Node 20.6 or newer (the npm scripts run `node --import tsx`) on Debian bookworm, whose packages give Jupyter.
FROM node:20-bookworm-slim AS course
WORKDIR /src
COPY package.json package-lock.json ./
# The dependencies' own install scripts are not needed (zeromq ships prebuilt binaries).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run release -- /release

FROM node:20-bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client jupyterhub python3-numpy ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The students' release only: the teacher's copy, with the solutions and the hidden tests, stays out of the image.
COPY --from=course /release /opt/rnn-lessons
# The kernel for every user of Debian's Jupyter (prefix /usr), the default of the New menu. The course folder is
# read-only: students write in their home (src/course.ts learnerRoot: ~/rnn-lessons).
RUN cd /opt/rnn-lessons && npm run kernel:install -- --sys-prefix

# A student: jovyan, as in the Jupyter Docker Stacks.
RUN useradd --create-home --uid 1000 jovyan
USER jovyan
WORKDIR /home/jovyan
ENV RNN_LESSONS_HOME=/home/jovyan/rnn-lessons
# The first start copies the notebooks into the student's home, writable (scripts/singleuser.sh), then runs the
# server with every argument the spawner appends to this command (--port, --notebook-dir, ...).
CMD ["/opt/rnn-lessons/scripts/singleuser.sh", "jupyterhub-singleuser", "--ip=0.0.0.0"]
