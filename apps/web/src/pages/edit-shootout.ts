import { errorBox } from "../components/error-box.ts";
import { FORMATS, shootoutForm } from "../components/shootout-form.ts";
import type { Shootout, ShootoutCreateInput } from "../lib/api-types.ts";
import { h, mount } from "../lib/dom.ts";
import { type DraftTone, draftFromSelection, toSelectionInput } from "../lib/draft-tone.ts";
import type { PageFactory } from "../lib/page.ts";
import { api } from "../lib/trpc.ts";

/** What the form submits when nothing was touched: the baseline edits are measured against. */
function asSubmitted(shootout: Shootout, drafts: readonly DraftTone[]): ShootoutCreateInput {
  return {
    name: shootout.name,
    description: shootout.description,
    diFileId: shootout.diFileId ?? "",
    guitar: shootout.guitar ?? "",
    pickup: shootout.pickup ?? "",
    sampleRate: shootout.sampleRate as ShootoutCreateInput["sampleRate"],
    outputFormats: FORMATS.map((f) => f.value).filter((f) => shootout.outputFormats.includes(f)),
    normalizeLoudness: shootout.normalizeLoudness,
    targetLufs: shootout.targetLufs,
    isPublic: shootout.isPublic,
    blind: shootout.blind,
    tones: drafts.map(toSelectionInput),
  };
}

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
      // Taken before the form exists: its tone rows edit the drafts in place.
      const baseline = asSubmitted(shootout, drafts);
      const before = Object.fromEntries(Object.entries(baseline).map(([k, v]) => [k, JSON.stringify(v)]));
      const form = shootoutForm({
        label: `Edit ${shootout.name}`,
        submitLabel: "Save changes",
        initial: shootout,
        initialTones: drafts,
        async submit(input) {
          const changed = Object.fromEntries(
            Object.entries(input).filter(([k, v]) => JSON.stringify(v) !== before[k]),
          ) as Partial<ShootoutCreateInput>;
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
