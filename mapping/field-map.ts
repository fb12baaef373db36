/**
 * The former name of the scope (mapping/scope.ts), kept so that code written against the field map still compiles.
 * A FIELD_MAP_FILE is read as a scope file: every field-map key means the same in the scope.
 */
export {
  type CustomFieldMapping,
  Scope as FieldMap,
  ScopeError as FieldMapError,
  parseScope as parseFieldMap,
  loadScope as loadFieldMap,
} from './scope';
