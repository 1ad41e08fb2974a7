import { createPersonalToken } from "@/lib/auth/api-keys";
import { SYSTEM_ACTOR } from "@/lib/audit";
import { expect, test } from "./fixtures/auth";

/*
 * A person creates a personal token on their profile, a script uses it through the API as
 * that person, and once revoked it is refused; an admin sees everyone's tokens and revokes any.
 */

test("a finance user creates a token, a script reads with it, and revoking it ends it", async ({
  page,
  signInAs,
}) => {
  await signInAs("finance", "/profile");
  await page.goto("/profile");
  const name = `e2e token ${Date.now()}`;
  await page.getByRole("textbox", { name: "Name" }).fill(name);
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-personal-token").textContent())!.trim();
  expect(token).toMatch(/^cl_/);

  const read = () =>
    page.request.get("/api/v1/corrections?status=pending_approval", {
      headers: { authorization: `Bearer ${token}` },
    });
  const answered = await read();
  expect(answered.status()).toBe(200);
  expect(await answered.json()).toMatchObject({ items: expect.any(Array) });

  await page.reload();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: `Revoke token ${name}` }).click();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toContainText("revoked");
  expect((await read()).status()).toBe(401);
});

test("an admin sees another person's token among everyone's and revokes it", async ({
  page,
  db,
  makeUser,
  signInAs,
}) => {
  const owner = await makeUser("finance");
  const name = `e2e owner's token ${Date.now()}`;
  const { key } = await createPersonalToken(db, { userId: owner.id, name }, SYSTEM_ACTOR);
  const read = () =>
    page.request.get("/api/v1/corrections?status=pending_approval", {
      headers: { authorization: `Bearer ${key}` },
    });
  expect((await read()).status()).toBe(200);

  await signInAs("admin", "/admin/api-keys");
  await page.goto("/admin/api-keys");
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText(owner.email);
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: `Revoke token ${name}` }).click();
  await expect(row).toContainText("revoked");
  expect((await read()).status()).toBe(401);
});
