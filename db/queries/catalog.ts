import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { queryRows } from "../rows";

/*
 * The database's own rendering of the functions and triggers the migrations created, read
 * from the system catalogs. Objects an extension owns are left out: the extension, not our
 * migrations, defines them.
 */

export interface FunctionDefinition {
  name: string;
  /** The argument types, to tell overloads of one name apart. */
  identityArguments: string;
  /** `pg_get_functiondef`: a complete `CREATE OR REPLACE FUNCTION` statement. */
  definition: string;
}

export interface TriggerDefinition {
  tableName: string;
  name: string;
  /** `pg_get_triggerdef`: a complete `CREATE TRIGGER` statement. */
  definition: string;
}

/** Functions and procedures of schema public (aggregates have no `pg_get_functiondef`). */
export async function listFunctionDefinitions(db: Db): Promise<FunctionDefinition[]> {
  return queryRows<FunctionDefinition>(
    db,
    sql`
      select p.proname as "name",
             pg_get_function_identity_arguments(p.oid) as "identityArguments",
             pg_get_functiondef(p.oid) as "definition"
        from pg_proc p
        join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public'
         and p.prokind in ('f', 'p')
         and not exists (
               select 1 from pg_depend d
                where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
       order by p.proname collate "C", pg_get_function_identity_arguments(p.oid) collate "C"`,
  );
}

/** User-defined triggers on tables of schema public (not the ones behind foreign keys). */
export async function listTriggerDefinitions(db: Db): Promise<TriggerDefinition[]> {
  return queryRows<TriggerDefinition>(
    db,
    sql`
      select c.relname as "tableName",
             t.tgname as "name",
             pg_get_triggerdef(t.oid) as "definition"
        from pg_trigger t
        join pg_class c on c.oid = t.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public'
         and not t.tgisinternal
         and not exists (
               select 1 from pg_depend d
                where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
       order by c.relname collate "C", t.tgname collate "C"`,
  );
}

export interface FunctionDependent {
  /** The function's name. */
  name: string;
  /** What stores its results, in PostgreSQL's words: "index …", "default value for column …". */
  dependent: string;
}

/**
 * Functions whose results the schema stores: in an index expression, a generated column or a
 * check constraint. Replacing such a function does not recompute what was stored with it.
 */
export async function listFunctionDependents(db: Db): Promise<FunctionDependent[]> {
  return queryRows<FunctionDependent>(
    db,
    sql`
      select p.proname as "name",
             pg_describe_object(d.classid, d.objid, d.objsubid) as "dependent"
        from pg_depend d
        join pg_proc p on p.oid = d.refobjid
       where d.refclassid = 'pg_proc'::regclass
         and p.pronamespace = 'public'::regnamespace
         and d.classid in ('pg_class'::regclass, 'pg_attrdef'::regclass, 'pg_constraint'::regclass)
       order by 1, 2`,
  );
}
