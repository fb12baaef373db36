/**
 * What `provision` would create, found without creating anything: activities/provision-attio.ts walks the field map
 * through an AttioClient whose `ensure*` calls only read. One description of what the sync needs, so the plan cannot
 * drift from what provisioning does. An attribute of the wrong type is reported as provisioning reports it.
 */
import type { AttioAttribute, AttioList, AttioObject, AttioTarget, AttributeSpec, Ensured } from '../attio/client';
import { AttioClient } from '../attio/client';
import { provisionAttioFor } from '../activities/provision-attio';
import type { FieldMap } from '../mapping/field-map';

class ReadOnlyAttioClient extends AttioClient {
  override async ensureObject(spec: { api_slug: string }): Promise<Ensured<AttioObject>> {
    return missingUnless(await this.getObject(spec.api_slug));
  }

  override async ensureAttribute(
    target: AttioTarget,
    identifier: string,
    spec: AttributeSpec,
  ): Promise<Ensured<AttioAttribute>> {
    // The object or list itself may be missing (then so is the attribute): a 404 on its path reads as undefined.
    const existing = await this.getAttribute(target, identifier, spec.api_slug).catch(() => undefined);
    if (existing && existing.type !== spec.type) {
      throw new Error(
        `Attio ${target}/${identifier} attribute "${spec.api_slug}" exists with type "${existing.type}", but the sync needs "${spec.type}"`,
      );
    }
    return missingUnless(existing);
  }

  override async ensureList(spec: { api_slug: string }): Promise<Ensured<AttioList>> {
    return missingUnless(await this.getList(spec.api_slug));
  }

  override async ensureSelectOption(target: AttioTarget, identifier: string, attribute: string, title: string) {
    const options = await this.listSelectOptions(target, identifier, attribute, true).catch(() => []);
    const existing = options.find((option) => option.title === title);
    return missingUnless(existing);
  }
}

const missingUnless = <T>(existing: T | undefined): Ensured<T> => ({
  value: existing as T,
  created: existing === undefined,
});

/** What provisioning would create in Attio for this field map (empty when Attio has everything). */
export async function provisioningPlan(
  attio: { baseUrl: string; token: string },
  fieldMap: FieldMap,
): Promise<string[]> {
  return (await provisionAttioFor(new ReadOnlyAttioClient(attio), fieldMap)).created;
}
