// The poem studio's page: plain DOM, no framework. It asks the server for a poem and shows each character as it
// arrives (the server sends one JSON line per character), then lets you ask why a character is there and revise the
// poem with the model. Every request carries the studio's token in a cookie the server set when the page was opened.
"use strict";

const $ = (selector) => document.querySelector(selector);

// ── Talking to the server ───────────────────────────────────────────────────────────────────────────────────────

/** The sentence to show when the server cannot be reached or refuses the page. */
const serverGone = "The poem studio's server does not answer: start it again with npm run poems, and open the URL it prints.";

/** Shows one sentence above the work (or hides it when the sentence is empty). */
function say(sentence) {
  const message = $("#message");
  message.textContent = sentence;
  message.hidden = sentence === "";
}

/** Fetches an API path with query settings; returns the response, or throws the sentence to show. */
async function ask(path, settings) {
  const url = path + "?" + new URLSearchParams(settings).toString();
  let response;
  try {
    response = await fetch(url);
  } catch {
    throw new Error(serverGone);
  }
  if (response.status === 403) throw new Error("The server refused this page's token (it was restarted?): open the URL that npm run poems printed.");
  return response;
}

/** Fetches an API path and returns its JSON answer; throws its error sentence. */
async function askJson(path, settings) {
  const answer = await (await ask(path, settings)).json();
  if (answer.error) throw new Error(answer.error);
  return answer;
}

/** Fetches a streamed answer and calls onStep(step) for each character as it arrives; returns the "done" part. */
async function askStream(path, settings, onStep) {
  const response = await ask(path, settings);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      throw new Error(serverGone);
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      if (line.error) throw new Error(line.error);
      if (line.step) onStep(line.step);
      if (line.done) return line.done;
    }
  }
  throw new Error(serverGone);
}

/** The settings of a form as an object (a checkbox left unticked is sent as "0"); a blank seed gets a random one, shown. */
function settingsOf(form) {
  const settings = Object.fromEntries(new FormData(form));
  if (form.elements.rhyme) settings.rhyme = form.elements.rhyme.checked ? "1" : "0";
  if (settings.seed === "") settings.seed = String(Math.floor(Math.random() * 1000000));
  return settings;
}

const percent = (p) => (100 * p).toFixed(p < 0.001 ? 2 : 1) + "%";

// ── Tang poems ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The poem on screen: its settings (to ask why and to rewrite), its text, the places pinned. */
const tangState = { settings: null, text: "", done: null, pinned: new Set() };

const lineEnds = "，。？！；：、";

/** Starts an empty poem: one line element, filled as characters arrive. */
function clearPoem() {
  const poem = $("#poem");
  poem.replaceChildren();
  poem.dataset.state = "writing";
  $("#poem-about").textContent = "";
  $("#why").hidden = true;
  $("#rewrite").disabled = true;
}

/** Adds one character to the poem on screen (a new line after each line-end mark). */
function addChar(step) {
  const poem = $("#poem");
  let line = poem.lastElementChild;
  if (!line || line.dataset.closed === "1") {
    line = document.createElement("div");
    line.className = "line";
    const pin = document.createElement("button");
    pin.type = "button";
    pin.className = "pin-line";
    pin.title = "pin this line: a rewrite keeps it";
    pin.textContent = "pin";
    line.append(pin);
    poem.append(line);
  }
  const span = document.createElement("span");
  span.className = "char";
  span.textContent = step.char;
  span.dataset.position = step.position;
  if (tangState.pinned.has(step.position)) span.classList.add("pinned");
  line.append(span);
  if (lineEnds.includes(step.char)) line.dataset.closed = "1";
}

/** Marks what a finished poem shows: heads, rhymes with their pinyin, pinyin on hover, form and seed. */
function finishPoem(done) {
  tangState.text = done.text;
  tangState.done = done;
  const spans = document.querySelectorAll("#poem .char");
  spans.forEach((span, i) => {
    span.title = done.pinyin[i] && !lineEnds.includes(span.textContent) ? done.pinyin[i] : "";
    span.classList.toggle("head", done.heads.includes(i));
    if (done.rhymes.includes(i)) {
      span.classList.add("rhyme");
      const reading = document.createElement("span");
      reading.className = "reading";
      reading.textContent = done.pinyin[i];
      span.append(reading);
    }
  });
  for (const pin of document.querySelectorAll("#poem .pin-line")) {
    const places = [...pin.parentElement.querySelectorAll(".char")].map((c) => Number(c.dataset.position));
    const on = places.some((p) => tangState.pinned.has(p));
    pin.classList.toggle("on", on);
    pin.textContent = on ? "pinned" : "pin";
  }
  const s = tangState.settings;
  const rhyme = done.rhymes.length === 0 ? "" : done.rhymeClasses.length > 0 ? ` · rhyme ${done.rhymeClasses.join("/")}` : " · no shared rhyme";
  $("#poem-about").textContent = `${done.form ?? "free poem"}${rhyme} · temperature ${s.temperature} · seed ${done.seed}`;
  $("#poem").dataset.state = "done";
  $("#rewrite").disabled = done.form === null;
  const draft = document.createElement("li");
  draft.textContent = `${done.text}  (${done.form ?? "free"}, seed ${done.seed}${tangState.revision ? ", " + tangState.revision : ""})`;
  $("#drafts").prepend(draft);
}

/** Writes (or rewrites) a poem, showing it as it comes. */
async function writeTang(path, settings, revision) {
  say("");
  clearPoem();
  tangState.revision = revision;
  try {
    const done = await askStream(path, settings, addChar);
    tangState.settings = { ...settings };
    delete tangState.settings.text;
    delete tangState.settings.change;
    delete tangState.settings.char;
    delete tangState.settings.pinned;
    tangState.settings.seed = String(done.seed);
    finishPoem(done);
  } catch (err) {
    say(err.message);
    $("#poem").dataset.state = "failed";
    if (tangState.done && path.endsWith("rewrite")) {
      // The revision was refused: put the poem back as it was.
      $("#poem").replaceChildren();
      Array.from(tangState.text).forEach((char, position) => addChar({ char, position }));
      const kept = tangState.revision;
      tangState.revision = "kept";
      finishPoem(tangState.done);
      tangState.revision = kept;
      $("#drafts").firstElementChild.remove();
    }
  }
}

$("#tang-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const settings = settingsOf(event.target);
  tangState.pinned = new Set();
  tangState.settings = settings;
  writeTang("/api/tang/write", settings, "");
});

/** The settings to rewrite the poem on screen with: its own, with a new seed for the characters drawn again. */
function rewriteSettings() {
  const seed = String(Math.floor(Math.random() * 1000000));
  return { ...tangState.settings, seed, text: tangState.text, pinned: [...tangState.pinned].sort((a, b) => a - b).join(",") };
}

$("#rewrite").addEventListener("click", () => {
  writeTang("/api/tang/rewrite", rewriteSettings(), `rewritten around ${tangState.pinned.size} pinned`);
});

/** Pins or unpins places (a rewrite keeps pinned characters where they are). */
function togglePins(positions, pin) {
  for (const p of positions) {
    if (pin) tangState.pinned.add(p);
    else tangState.pinned.delete(p);
    document.querySelector(`#poem .char[data-position="${p}"]`)?.classList.toggle("pinned", pin);
  }
}

$("#poem").addEventListener("click", (event) => {
  if ($("#poem").dataset.state !== "done") return;
  const pinButton = event.target.closest(".pin-line");
  if (pinButton) {
    const positions = [...pinButton.parentElement.querySelectorAll(".char")].filter((s) => !lineEnds.includes(s.textContent[0])).map((s) => Number(s.dataset.position));
    const pin = !positions.every((p) => tangState.pinned.has(p));
    togglePins(positions, pin);
    pinButton.classList.toggle("on", pin);
    pinButton.textContent = pin ? "pinned" : "pin";
    return;
  }
  const span = event.target.closest(".char");
  if (span) showWhyTang(Number(span.dataset.position));
});

/** Fills a "why" panel: the rule, the ten likeliest choices after the masks, what the masks removed. */
function renderWhy(panel, why, readings, onPick) {
  panel.replaceChildren();
  const title = document.createElement("h2");
  title.textContent = `Why “${why.char}”${why.reading ? ` (${why.reading})` : ""} at place ${why.position + 1}`;
  const rule = document.createElement("p");
  rule.className = "rule";
  rule.textContent = `Rule here: ${why.rule} (${why.allowedCount} symbols allowed).`;
  const table = document.createElement("table");
  table.innerHTML = "<thead><tr><th>choice</th><th>chance drawn</th><th>model alone</th><th></th></tr></thead>";
  const body = document.createElement("tbody");
  why.choices.forEach((choice, i) => {
    const row = document.createElement("tr");
    row.className = "choice" + (choice.char === why.char ? " current" : "");
    row.dataset.char = choice.char;
    row.dataset.p = choice.p;
    const char = document.createElement("td");
    char.className = "choice-char";
    char.textContent = choice.char;
    if (readings && readings[i]) char.title = readings[i];
    const bar = document.createElement("td");
    bar.innerHTML = `<span class="bar" style="width:${Math.round(120 * choice.p)}px"></span> ${percent(choice.p)}`;
    const own = document.createElement("td");
    own.textContent = percent(choice.model);
    const action = document.createElement("td");
    if (onPick && choice.char !== why.char && !choice.char.startsWith("⟨")) {
      const use = document.createElement("button");
      use.type = "button";
      use.className = "use";
      use.textContent = "use";
      use.title = `put ${choice.char} here and write the rest again`;
      use.addEventListener("click", () => onPick(choice.char));
      action.append(use);
    }
    row.append(char, bar, own, action);
    body.append(row);
  });
  table.append(body);
  const removed = document.createElement("p");
  removed.className = "removed";
  removed.textContent = why.removed.top.length === 0 ? "The masks removed nothing here." :
    `The masks removed ${percent(why.removed.share)} of the model's probability: ` + why.removed.top.map((c) => `${c.char} ${percent(c.model)}`).join(", ") + ".";
  panel.append(title, rule, table, removed);
  panel.hidden = false;
}

async function showWhyTang(position) {
  say("");
  try {
    const { why } = await askJson("/api/tang/why", { ...tangState.settings, text: tangState.text, position });
    const panel = $("#why");
    why.reading = tangState.done.pinyin[position];
    renderWhy(panel, why, why.pinyin, (char) => {
      writeTang("/api/tang/rewrite", { ...rewriteSettings(), change: position, char }, `${why.char}→${char} at place ${position + 1}`);
    });
    const pinned = tangState.pinned.has(position);
    const pin = document.createElement("button");
    pin.type = "button";
    pin.className = "pin-char";
    pin.textContent = pinned ? `Unpin ${why.char}` : `Pin ${why.char}`;
    pin.addEventListener("click", () => {
      togglePins([position], !pinned);
      showWhyTang(position);
    });
    panel.append(pin);
  } catch (err) {
    say(err.message);
  }
}

// ── Sonnets ─────────────────────────────────────────────────────────────────────────────────────────────────────

const sonnetState = { settings: null, text: "", promptLength: 0 };

$("#sonnet-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const settings = settingsOf(event.target);
  const out = $("#sonnet-text");
  out.replaceChildren();
  out.dataset.state = "writing";
  $("#sonnet-why").hidden = true;
  $("#sonnet-about").textContent = "";
  try {
    const prompt = document.createElement("span");
    prompt.className = "prompt";
    prompt.textContent = settings.prompt;
    out.append(prompt);
    const done = await askStream("/api/sonnet/write", settings, (step) => {
      const span = document.createElement("span");
      span.className = "char";
      span.textContent = step.char;
      out.append(span);
    });
    const chars = Array.from(done.text);
    prompt.textContent = chars.slice(0, done.promptLength).join("");
    out.querySelectorAll(".char").forEach((span, i) => (span.dataset.position = done.promptLength + i));
    sonnetState.settings = { ...settings, seed: String(done.seed) };
    sonnetState.text = done.text;
    out.dataset.state = "done";
    $("#sonnet-about").textContent = `${chars.length - done.promptLength} characters · temperature ${settings.temperature} · seed ${done.seed}`;
  } catch (err) {
    say(err.message);
    out.dataset.state = "failed";
  }
});

$("#sonnet-text").addEventListener("click", async (event) => {
  const span = event.target.closest(".char");
  if (!span || $("#sonnet-text").dataset.state !== "done") return;
  say("");
  try {
    const s = sonnetState.settings;
    const { why } = await askJson("/api/sonnet/why", { model: s.model, temperature: s.temperature, text: sonnetState.text, position: span.dataset.position });
    why.choices.forEach((c) => (c.char = c.char === "\n" ? "⏎" : c.char === " " ? "␣" : c.char));
    renderWhy($("#sonnet-why"), why, null, null);
  } catch (err) {
    say(err.message);
  }
});

// ── Tabs and models ─────────────────────────────────────────────────────────────────────────────────────────────

document.querySelectorAll(".tab").forEach((tab) => tab.addEventListener("click", () => {
  document.querySelectorAll(".tab").forEach((t) => t.setAttribute("aria-selected", String(t === tab)));
  document.querySelectorAll(".panel").forEach((panel) => (panel.hidden = panel.id !== tab.dataset.tab));
}));

/** Lists the models: those that load in each tab's menu, every one (with its sentence when it does not load) below. */
async function loadModels() {
  try {
    const { models } = await askJson("/api/models", {});
    for (const select of document.querySelectorAll("select.models")) {
      select.replaceChildren(...models.filter((m) => m.kind === select.dataset.kind && m.problem === null).map((m) => new Option(m.name, m.id)));
    }
    $("#models").replaceChildren(...models.map((m) => {
      const item = document.createElement("li");
      item.textContent = m.problem === null ? `${m.name}: ready` : `${m.name}: does not load. ${m.problem}`;
      item.className = m.problem === null ? "ok" : "problem";
      return item;
    }));
  } catch (err) {
    say(err.message);
  }
}

loadModels();
