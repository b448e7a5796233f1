import { errorBox } from "../components/error-box.ts";
import { shootoutForm } from "../components/shootout-form.ts";
import { h, mount } from "../lib/dom.ts";
import { draftFromSelection } from "../lib/draft-tone.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

/**
 * Edit a shootout of mine with the new-shootout form, filled in. Only what changed is sent: a
 * rename goes through while a render runs, and unchanged tones keep their rendered timings.
 */
export const editShootoutPage: PageFactory = ({ params, navigate }) => {
  const shootoutId = params.id ?? "";
  const element = h("section", null, h("p", { class: "muted" }, "Loading…"));

  api.shootouts.get
    .query({ shootoutId })
    .then(async (shootout) => {
      if (!shootout.isOwner) {
        mount(element, h("p", { class: "error", role: "alert" }, "Only its owner can edit this shootout."));
        return;
      }
      const irIds = [...new Set(shootout.tones.flatMap((t) => (t.irFileId ? [t.irFileId] : [])))];
      const irNames = new Map(
        await Promise.all(
          irIds.map(async (fileId) => {
            const file = await api.files.get.query({ fileId }).catch(() => null);
            return [fileId, file?.name ?? null] as const;
          }),
        ),
      );
      const drafts = [...shootout.tones]
        .sort((a, b) => a.position - b.position)
        .map((t) => draftFromSelection(t, t.irFileId ? (irNames.get(t.irFileId) ?? null) : null));
      const form = shootoutForm({
        label: `Edit ${shootout.name}`,
        submitLabel: "Save changes",
        initial: shootout,
        initialTones: drafts,
        async submit(_input, changed) {
          if (Object.keys(changed).length > 0) await api.shootouts.update.mutate({ shootoutId, ...changed });
          navigate(`/shootouts/${shootoutId}`);
        },
      });
      mount(
        element,
        h("h1", null, `Edit “${shootout.name}”`),
        h("p", null, h("a", { href: `/shootouts/${shootoutId}` }, "← Back without saving")),
        form,
      );
    })
    .catch((error: unknown) => mount(element, errorBox(error)));

  return { title: "Edit shootout", element };
};
