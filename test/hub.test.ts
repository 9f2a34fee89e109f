// A class on a real JupyterHub, set up as docs/TEACHING.md says for one machine: the students' release read-only,
// the course kernel for every user, docs/jupyterhub_config.py (PAM logins, LocalProcessSpawner, the first-start copy
// by scripts/singleuser.sh), two throw-away local students. Each logs in, gets a server, runs the first cells of
// 00-welcome over the kernel's websocket and saves the notebook through the contents API; neither can read the
// other's work, nor any solution or hidden test; the teacher collects both notebooks and grades them in one CSV.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import WebSocket from "ws";
import { repoRoot } from "../src/course";

const jupyterhub = "/usr/bin/jupyterhub";

/** Runs a command; throws with its stderr when it fails. */
function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** A browser's cookie jar for one student: Set-Cookie in, Cookie out. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    header: () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
    take(response: Response) {
      // getSetCookie is in Node 20's fetch, not yet in @types/node 20's Headers.
      for (const line of (response.headers as unknown as { getSetCookie(): string[] }).getSetCookie()) {
        const [pair] = line.split(";");
        const at = pair.indexOf("=");
        cookies.set(pair.slice(0, at), pair.slice(at + 1));
      }
    },
  };
}

/** Runs `code` in a kernel over the server's websocket (Jupyter's messaging protocol); resolves with its reply status and output. */
function execute(socket: WebSocket, code: string, timeoutMs = 120_000): Promise<{ status: string; stdout: string; stderr: string }> {
  const msgId = randomBytes(8).toString("hex");
  const result = { status: "", stdout: "", stderr: "" };
  let idle = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms to: ${code.slice(0, 80)}`)), timeoutMs);
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data));
      if (msg.parent_header?.msg_id !== msgId) return;
      if (msg.msg_type === "stream") result[msg.content.name as "stdout" | "stderr"] += msg.content.text;
      if (msg.msg_type === "error") result.stderr += `${msg.content.ename}: ${msg.content.evalue}`;
      if (msg.msg_type === "status" && msg.content.execution_state === "idle") idle = true;
      if (msg.msg_type === "execute_reply") result.status = msg.content.status;
      if (idle && result.status) {
        clearTimeout(timer);
        socket.off("message", onMessage);
        resolve(result);
      }
    };
    socket.on("message", onMessage);
    socket.send(JSON.stringify({
      header: { msg_id: msgId, username: "test", session: "hub-test", msg_type: "execute_request", version: "5.3", date: new Date().toISOString() },
      parent_header: {}, metadata: {}, channel: "shell",
      content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
    }));
  });
}

test("a class on JupyterHub from docs/TEACHING.md: students log in, run and save 00-welcome, see neither each other's work nor the answers, and are graded in one CSV", { timeout: 900_000 }, async (t) => {
  if (process.getuid?.() !== 0) return t.skip("needs root: it creates two local users and runs JupyterHub as root, as a class's machine does");
  assert.ok(fs.existsSync(jupyterhub), "Debian's jupyterhub is installed (npm test's set-up installs it as root: tools/setup.ts --hub)");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "rnn-hub-"));
  fs.chmodSync(work, 0o755);
  const course = path.join(work, "course");
  const prefix = path.join(work, "prefix");
  const tag = randomBytes(3).toString("hex");
  const students = [`rnn${tag}a`, `rnn${tag}b`];
  const passwords = Object.fromEntries(students.map((s) => [s, randomBytes(12).toString("hex")]));
  const port = 21000 + Math.floor(Math.random() * 2000);
  const origin = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(16).toString("hex");
  let hub: ReturnType<typeof spawn> | undefined;
  const sockets: WebSocket[] = [];
  try {
    // The teacher's steps (docs/TEACHING.md): the release, the kernel for every user of the hub's Jupyter (under a
    // prefix here, not /usr), the students' accounts, the documented configuration.
    run("npm", ["run", "--silent", "release", "--", course], { cwd: repoRoot });
    run("npm", ["run", "--silent", "kernel:install", "--", "--prefix", prefix], { cwd: course });
    for (const student of students) {
      run("useradd", ["--create-home", "--shell", "/bin/bash", student]);
      run("chpasswd", [], { input: `${student}:${passwords[student]}\n` });
    }
    fs.writeFileSync(path.join(work, "jupyterhub_config.py"), [
      `load_subconfig(${JSON.stringify(path.join(repoRoot, "docs", "jupyterhub_config.py"))})`,
      `c.Authenticator.allowed_users = set(${JSON.stringify(students)})`,
      `c.JupyterHub.bind_url = "${origin}"`,
      `c.JupyterHub.hub_port = ${port + 1}`,
      `c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${port + 2}"`,
      `c.Spawner.cmd = ["${course}/scripts/singleuser.sh", "jupyterhub-singleuser"]`,
      `c.Spawner.environment = {"JUPYTER_PATH": "${prefix}/share/jupyter", "JUPYTER_CONFIG_PATH": "${prefix}/etc/jupyter"}`,
      `c.JupyterHub.db_url = "sqlite:///${work}/jupyterhub.sqlite"`,
      `c.JupyterHub.cookie_secret_file = "${work}/jupyterhub_cookie_secret"`,
      // The test's own admin token, to start servers and hand each student a token for the API.
      `c.JupyterHub.services = [{"name": "course-test", "api_token": "${adminToken}"}]`,
      `c.JupyterHub.load_roles = [{"name": "course-test", "scopes": ["admin:users", "admin:servers", "tokens", "list:users"], "services": ["course-test"]}]`,
    ].join("\n") + "\n");
    const hubLog = fs.openSync(path.join(work, "hub.log"), "w");
    hub = spawn(jupyterhub, ["-f", path.join(work, "jupyterhub_config.py")], { cwd: work, detached: true, stdio: ["ignore", hubLog, hubLog] });
    const admin = { Authorization: `token ${adminToken}` };
    let up = false;
    for (let i = 0; i < 150 && !up; i++) {
      up = await fetch(`${origin}/hub/api`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(up, `the hub answers (its log: ${fs.readFileSync(path.join(work, "hub.log"), "utf8").slice(-2000)})`);

    const tokens: Record<string, string> = {};
    for (const student of students) {
      // Logging in with the Linux password (PAM), as in a browser.
      const jar = cookieJar();
      jar.take(await fetch(`${origin}/hub/login`, { redirect: "manual" }));
      const login = await fetch(`${origin}/hub/login`, {
        method: "POST", redirect: "manual", headers: { Cookie: jar.header(), "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: student, password: passwords[student] }),
      });
      assert.equal(login.status, 302, `${student} logs in`);
      const wrong = await fetch(`${origin}/hub/login`, {
        method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: student, password: "not-the-password" }),
      });
      assert.notEqual(wrong.status, 302, "a wrong password does not log in");
      // Their server, started by the hub as them.
      const started = await fetch(`${origin}/hub/api/users/${student}/server`, { method: "POST", headers: admin });
      assert.ok([201, 202].includes(started.status), `the hub starts ${student}'s server (${started.status})`);
      for (let i = 0; i < 300; i++) {
        const user = await (await fetch(`${origin}/hub/api/users/${student}`, { headers: admin })).json();
        if (user.servers?.[""]?.ready) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      tokens[student] = (await (await fetch(`${origin}/hub/api/users/${student}/tokens`, { method: "POST", headers: admin, body: JSON.stringify({ note: "hub test" }) })).json()).token;
    }

    for (const [me, other] of [students, [...students].reverse()]) {
      const auth = { Authorization: `token ${tokens[me]}` };
      const api = `${origin}/user/${me}/api`;
      // The first start copied the learner editions, and nothing else, into their home.
      const listing = await (await fetch(`${api}/contents/notebooks`, { headers: auth })).json();
      assert.deepEqual(listing.content.map((c: { name: string }) => c.name).sort(), fs.readdirSync(path.join(course, "notebooks")).sort());
      // The first cells of 00-welcome in the course kernel, over the server's websocket.
      const kernel = await (await fetch(`${api}/kernels`, { method: "POST", headers: auth, body: JSON.stringify({ name: "rnn-lessons" }) })).json();
      const socket = new WebSocket(`ws://127.0.0.1:${port}/user/${me}/api/kernels/${kernel.id}/channels?token=${tokens[me]}`);
      sockets.push(socket);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const notebook = (await (await fetch(`${api}/contents/notebooks/00-welcome.ipynb`, { headers: auth })).json()).content;
      const code = notebook.cells.filter((c: { cell_type: string }) => c.cell_type === "code").slice(0, 3);
      for (const cell of code) {
        const ran = await execute(socket, cell.source);
        assert.equal(ran.status, "ok", `${me}: ${cell.source.slice(0, 60)} → ${ran.stderr}`);
      }
      // What the student's kernel can read: not the other student's home, no solution, no lesson source.
      const probe = await execute(socket, [
        'import * as fs from "fs";',
        "const tryRead = (p: string) => { try { fs.readdirSync(p); return \"readable\"; } catch (e) { return (e as NodeJS.ErrnoException).code; } };",
        `console.log(JSON.stringify({ otherHome: tryRead("/home/${other}"), otherNotebooks: tryRead("/home/${other}/rnn-lessons/notebooks"), solutions: tryRead("notebooks/solutions"), sources: tryRead("notebooks/lessons"), tests: tryRead("test"), course: process.cwd() }));`,
      ].join("\n"));
      assert.deepEqual(JSON.parse(probe.stdout), { otherHome: "EACCES", otherNotebooks: "EACCES", solutions: "ENOENT", sources: "ENOENT", tests: "ENOENT", course });
      // Saving, as the Save button does.
      notebook.cells[0].source = `${me} was here`;
      const saved = await fetch(`${api}/contents/notebooks/00-welcome.ipynb`, { method: "PUT", headers: auth, body: JSON.stringify({ type: "notebook", content: notebook }) });
      assert.equal(saved.status, 200, `${me} saves 00-welcome.ipynb: ${await saved.text()}`);
      const file = path.join("/home", me, "rnn-lessons", "notebooks", "00-welcome.ipynb");
      assert.match(fs.readFileSync(file, "utf8"), new RegExp(`${me} was here`));
      assert.equal(fs.statSync(file).uid, Number(run("id", ["-u", me]).trim()), "the saved notebook is the student's");
      assert.equal(fs.statSync(path.join("/home", me)).mode & 0o077, 0, "the home is private");
      // Another student's server does not take this student's token.
      const foreign = await fetch(`${origin}/user/${other}/api/contents/notebooks`, { headers: auth, redirect: "manual" });
      assert.notEqual(foreign.status, 200, `${me} cannot list ${other}'s notebooks`);
    }
    // No file of the release holds a hidden test or a solution edition.
    const released = fs.readdirSync(course, { recursive: true }) as string[];
    assert.deepEqual(released.filter((f) => /(^|\/)(solutions|lessons)(\/|$)/.test(f) && !f.startsWith("node_modules")), []);

    // The teacher collects the notebooks and grades them from their own copy (this checkout) into one CSV.
    for (const student of students) {
      fs.mkdirSync(path.join(work, "submissions", student), { recursive: true });
      fs.copyFileSync(path.join("/home", student, "rnn-lessons", "notebooks", "00-welcome.ipynb"), path.join(work, "submissions", student, "00-welcome.ipynb"));
    }
    const gradebook = path.join(work, "grades.csv");
    run("npm", ["run", "--silent", "grade", "--", path.join(work, "submissions"), "--gradebook", gradebook], { cwd: repoRoot });
    const rows = fs.readFileSync(gradebook, "utf8").trim().split("\n").slice(1);
    assert.deepEqual([...new Set(rows.map((r) => r.split(",")[0]))].sort(), [...students].sort(), "one gradebook, both students");
    // A student grades their own notebook in the release: the visible checks only, said in one line; the report in their home.
    const mine = path.join("/home", students[0], "rnn-lessons", "notebooks", "00-welcome.ipynb");
    const own = spawnSync("runuser", ["-u", students[0], "--", "npm", "run", "--silent", "grade", "--", mine], {
      cwd: course, encoding: "utf8", env: { ...process.env, HOME: path.join("/home", students[0]), USER: students[0], RNN_LESSONS_RUNS: "", RNN_LESSONS_HOME: "" },
    });
    assert.equal(own.status, 0, own.stderr);
    assert.match(own.stdout, /^\(This copy of the course is a students' release: it has no hidden tests, so only the visible checks were run; your teacher's grade runs both\.\)$/m);
    assert.match(own.stdout, new RegExp(`^report: /home/${students[0]}/rnn-lessons/reports/grades/00-welcome\\.json$`, "m"));
  } finally {
    for (const socket of sockets) socket.terminate();
    if (hub?.pid) {
      try {
        process.kill(-hub.pid, "SIGTERM");
      } catch { /* already gone */ }
      await new Promise((r) => (hub!.exitCode !== null ? r(null) : hub!.once("exit", r)));
    }
    for (const student of students) {
      spawnSync("pkill", ["-KILL", "-u", student]);
      spawnSync("userdel", ["--remove", student], { encoding: "utf8" });
    }
    fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  }
});
