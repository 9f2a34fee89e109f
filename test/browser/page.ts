// A live page in headless Chromium, driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
// messages ending in NUL on file descriptors 3 and 4), for checks that need a page to keep running, such as a
// Jupyter Notebook executing cells. No WebSocket client and no npm package needed.
import * as fs from "fs";
import { Readable, Writable } from "stream";
import { ChromiumOptions, ChromiumProcess, startChromium } from "./chromium";
import { decodePng, PngImage } from "./png";

interface ProtocolReply {
  id?: number;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** One browser tab: evaluate JavaScript in it, wait for a condition, take screenshots. */
export class BrowserPage {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: ProtocolReply) => void>();

  private constructor(
    private readonly chromium: ChromiumProcess,
    private readonly toChromium: Writable,
    private sessionId = "",
  ) {}

  /** Opens url in a new headless Chromium; close() it when done (the time limit kills it otherwise). */
  static async open(url: string, opts: ChromiumOptions = {}): Promise<BrowserPage> {
    const chromium = startChromium(["--remote-debugging-pipe", "about:blank"], opts, ["ignore", "ignore", "pipe", "pipe", "pipe"]);
    const page = new BrowserPage(chromium, chromium.child.stdio[3] as Writable);
    let pending = "";
    (chromium.child.stdio[4] as Readable).on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      for (let end = pending.indexOf("\0"); end >= 0; end = pending.indexOf("\0")) {
        const reply = JSON.parse(pending.slice(0, end)) as ProtocolReply;
        pending = pending.slice(end + 1);
        if (reply.id !== undefined) page.waiting.get(reply.id)?.(reply);
      }
    });
    try {
      const target = await page.call("Target.createTarget", { url });
      const attached = await page.call("Target.attachToTarget", { targetId: target.targetId, flatten: true });
      page.sessionId = attached.sessionId as string;
    } catch (err) {
      await chromium.stop();
      throw err;
    }
    return page;
  }

  /** Sends one DevTools command (to the tab once attached) and resolves with its result. */
  private call(method: string, params: Record<string, unknown> = {}, timeoutMs = 60000): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`Chromium did not answer ${method} within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        if (reply.error) reject(new Error(`Chromium refused ${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      this.toChromium.write(JSON.stringify(message) + "\0");
    });
  }

  /** Evaluates a JavaScript expression in the page (awaiting a promise it returns) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const result = await this.call("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    const details = result.exceptionDetails as { exception?: { description?: string }; text?: string } | undefined;
    if (details) throw new Error(`The page threw on \`${expression.slice(0, 80)}\`: ${details.exception?.description ?? details.text}`);
    return (result.result as { value: T }).value;
  }

  /** Evaluates `expression` every intervalMs until its value is truthy, and returns that value; throws after timeoutMs. */
  async waitFor<T>(expression: string, what: string, timeoutMs = 60000, intervalMs = 100): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression).catch(() => undefined);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}, in vain.`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Writes a PNG screenshot of the window to pngFile and returns it decoded. */
  async screenshot(pngFile: string): Promise<PngImage> {
    const shot = await this.call("Page.captureScreenshot", { format: "png" });
    const bytes = Buffer.from(shot.data as string, "base64");
    fs.writeFileSync(pngFile, bytes);
    return decodePng(bytes);
  }

  /** Closes the browser and removes its profile folder. */
  async close(): Promise<void> {
    await this.chromium.stop();
  }
}
