import { expect, test } from "./fixtures/auth";

/*
 * A person creates a personal token on their profile, a script uses it through the API as
 * that person, and once revoked it is refused.
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
