import { expect, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";

export const ADMIN_KEY = process.env.ADMIN_API_KEY ?? "e2e-admin-key";

let counter = 0;

/** Creates a trip of its own for one test, through the admin JSON API. */
export async function createTrip(
  request: APIRequestContext,
  busType: "ECONOMY" | "EXECUTIVE" | "SLEEPER" = "ECONOMY",
): Promise<{ id: number; from: string; to: string }> {
  counter += 1;
  const from = `Kota${process.pid}x${counter}${Date.now() % 100000}`;
  const to = "Tujuan";
  const departAt = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
  const res = await request.post("/api/admin/trips/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: {
      route_from: from,
      route_to: to,
      depart_at: departAt,
      price: 175000,
      bus_type: busType,
      admin_wa: "081299990000",
    },
  });
  expect(res.status()).toBe(200);
  const trip = await res.json();
  return { id: trip.id, from, to };
}

/** Waits for the page's islands to hydrate. The WASM loads when the
 * browser is idle; with two journeys and the server sharing two cores it
 * took over 5 s now and then, and past 15 s twice while the other worker
 * ran the reports journey (four axe scans), so this waits up to 30 s (a
 * page that never hydrates still fails). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true", { timeout: 30_000 });
}

export function seat(page: Page, code: string) {
  return page.locator(`[data-seat="${code}"]`);
}

/** Saves phone and desktop screenshots and asserts axe finds nothing serious. */
export async function lookAndScan(page: Page, name: string) {
  fs.mkdirSync("screenshots", { recursive: true });
  for (const [label, size] of [
    ["phone", { width: 360, height: 780 }],
    ["desktop", { width: 1280, height: 900 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `screenshots/${name}-${label}.png`, fullPage: true });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(" ")})`)).toEqual([]);
  }
}

/** Closes the browser contexts a test opened itself (`browser.newContext()`).
 * The browser lives as long as the worker, and so would they: their pages
 * keep live streams open and countdowns ticking through every later test of
 * the worker, and on two cores a later page once missed hydrating within
 * 15 s. Every spec runs it after each test. */
export async function closeOwnContexts({ browser, context }: { browser: Browser; context: BrowserContext }) {
  for (const c of browser.contexts()) {
    if (c !== context) await c.close();
  }
}
