import { test, expect } from "@playwright/test";
import { ADMIN_KEY, createTrip, hydrated, lookAndScan, seat, closeOwnContexts } from "./helpers";

test.afterEach(closeOwnContexts);

test("a claim code restores the hold in a second browser; the first loses it; the ticket shows the booking", async ({ browser, request }) => {
  const trip = await createTrip(request);
  const phone = await (await browser.newContext()).newPage();
  await phone.goto(`/trips/${trip.id}`);
  await hydrated(phone);
  await seat(phone, "5A").click();
  await expect(seat(phone, "5A")).toHaveAttribute("data-status", "MINE");
  await phone.getByLabel("Nama").fill("Siti Aminah");
  await phone.getByLabel("Nomor WhatsApp").fill("+62 813-1111-2222");
  await phone.getByRole("button", { name: "Lanjut ke pembayaran" }).click();
  const code = (await phone.getByTestId("claim-code").textContent())!.trim();

  const laptop = await (await browser.newContext()).newPage();
  await laptop.goto("/claim");
  await hydrated(laptop);
  await laptop.getByLabel("Kode klaim").fill("ZZZZ-ZZZZ");
  const [refused] = await Promise.all([
    laptop.waitForResponse((r) => r.url().includes("/sf/claim_hold")),
    laptop.getByRole("button", { name: "Pulihkan" }).click(),
  ]);
  expect(refused.status(), "an unknown claim code is a 404, never a 500").toBe(404);
  await expect(laptop.getByRole("alert")).toContainText("tidak ditemukan");
  await lookAndScan(laptop, "claim");
  await laptop.getByLabel("Kode klaim").fill(code.toLowerCase().replace("-", ""));
  await laptop.getByRole("button", { name: "Pulihkan" }).click();
  await expect(laptop).toHaveURL(new RegExp(`/trips/${trip.id}$`));
  await expect(seat(laptop, "5A")).toHaveAttribute("data-status", "MINE");
  await expect(laptop.getByTestId("claim-code")).toHaveText(code);

  // The first browser no longer controls the seat.
  await expect(seat(phone, "5A")).toHaveAttribute("data-status", "HOLD", { timeout: 2000 });
  await seat(phone, "5A").click();
  await expect(seat(phone, "5A")).toHaveAttribute("data-status", "HOLD");

  // The admin confirms payment; the map shows it booked, live.
  const booked = await request.post("/api/admin/generate-booking-code/", {
    headers: { "X-ADMIN-KEY": ADMIN_KEY },
    data: { claim_code: code },
  });
  expect(booked.status()).toBe(200);
  const bookingCode = (await booked.json()).booking_code as string;
  await expect(seat(laptop, "5A")).toHaveAttribute("data-status", "BOOKED", { timeout: 2000 });

  const ticket = await (await browser.newContext()).newPage();
  await ticket.goto(`/ticket/${bookingCode}`);
  await ticket.getByLabel("Nomor WhatsApp").fill("0899 0000 0000");
  await ticket.getByRole("button", { name: "Tampilkan tiket" }).click();
  await expect(ticket.getByRole("alert")).toContainText("Tidak ada pesanan");
  await ticket.getByLabel("Nomor WhatsApp").fill("0813 1111 2222");
  await ticket.getByRole("button", { name: "Tampilkan tiket" }).click();
  await expect(ticket.getByTestId("ticket")).toContainText(bookingCode);
  await expect(ticket.getByTestId("ticket-seats")).toHaveText("5A");
  await expect(ticket.locator(".qr svg")).toBeVisible();
  await lookAndScan(ticket, "ticket");
});
