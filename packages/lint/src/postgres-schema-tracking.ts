import type { ColumnDef, Constraint, Node } from 'libpg-query'
import {
  collationOf,
  constraintsOf,
  declaresNotNull,
  keyOfNames,
  namesOf,
  nodeOf,
  objectKey,
  relationKey,
  typeText,
} from './postgres-ast.js'
import type { PostgresStatement } from './postgres-parser.js'
import type { FunctionVolatility, SchemaState } from './schema-state.js'

/** Updates what lint knows of the schema with one statement that has run. */
export function applyPostgresStatement(state: SchemaState, { node }: PostgresStatement): void {
  const create = nodeOf(node, 'CreateStmt')
  if (create?.relation) {
    const table = relationKey(create.relation)
    if (create.if_not_exists && state.table(table)) return
    state.createTable(table, Boolean(create.partspec))
    const elements = create.tableElts ?? []
    for (const element of elements) {
      const column = nodeOf(element, 'ColumnDef')
      if (column?.colname) addColumn(state, table, column.colname, column)
    }
    // After the columns, since a table-level PRIMARY KEY may come first and makes its columns NOT NULL.
    for (const element of elements) {
      const constraint = nodeOf(element, 'Constraint')
      if (constraint) noteConstraint(state, table, constraint)
    }
    return
  }
  const createAs = nodeOf(node, 'CreateTableAsStmt')
  if (createAs?.into?.rel) {
    state.createTable(relationKey(createAs.into.rel))
    return
  }
  const index = nodeOf(node, 'IndexStmt')
  if (index?.relation && index.idxname) {
    const elements = (index.indexParams ?? []).map((param) => nodeOf(param, 'IndexElem'))
    const columns = elements.every((element) => element?.name) ? elements.map((element) => element?.name as string) : undefined
    state.createIndex(objectKey(index.relation.schemaname, index.idxname), relationKey(index.relation), columns)
    return
  }
  const alter = nodeOf(node, 'AlterTableStmt')
  if (alter?.relation) {
    const table = relationKey(alter.relation)
    for (const command of alter.cmds ?? []) applyAlterTableCommand(state, table, command)
    return
  }
  const rename = nodeOf(node, 'RenameStmt')
  if (rename?.relation && rename.newname) {
    const table = relationKey(rename.relation)
    if (rename.renameType === 'OBJECT_TABLE') state.renameTable(table, objectKey(rename.relation.schemaname, rename.newname))
    if (rename.renameType === 'OBJECT_COLUMN' && rename.subname) state.renameColumn(table, rename.subname, rename.newname)
    if (rename.renameType === 'OBJECT_INDEX') state.renameIndex(table, objectKey(rename.relation.schemaname, rename.newname))
    return
  }
  const drop = nodeOf(node, 'DropStmt')
  if (drop?.removeType === 'OBJECT_TABLE' || drop?.removeType === 'OBJECT_INDEX') {
    for (const object of drop.objects ?? []) {
      const key = keyOfNames(nodeOf(object, 'List')?.items)
      if (drop.removeType === 'OBJECT_TABLE') state.dropTable(key)
      else state.dropIndex(key)
    }
    return
  }
  const insert = nodeOf(node, 'InsertStmt')
  if (insert?.relation) {
    state.noteRows(relationKey(insert.relation))
    return
  }
  const createFunction = nodeOf(node, 'CreateFunctionStmt')
  if (createFunction) {
    const names = namesOf(createFunction.funcname)
    const volatility = (createFunction.options ?? [])
      .map((option) => nodeOf(option, 'DefElem'))
      .find((option) => option?.defname === 'volatility')
    state.createFunction(names[names.length - 1] ?? '', (nodeOf(volatility?.arg, 'String')?.sval as FunctionVolatility) ?? 'volatile')
  }
}

function applyAlterTableCommand(state: SchemaState, table: string, node: Node): void {
  const command = nodeOf(node, 'AlterTableCmd')
  if (!command) return
  const column = nodeOf(command.def, 'ColumnDef')
  switch (command.subtype) {
    case 'AT_AddColumn':
      if (column?.colname && !(command.missing_ok && state.table(table)?.columns.has(column.colname)))
        addColumn(state, table, column.colname, column)
      return
    case 'AT_SetNotNull':
    case 'AT_DropNotNull':
      if (command.name) state.setColumnNotNull(table, command.name, command.subtype === 'AT_SetNotNull')
      return
    case 'AT_AlterColumnType':
      if (command.name) state.setColumnType(table, command.name, typeText(column?.typeName), collationOf(column))
      return
    case 'AT_DropColumn':
      if (command.name) state.dropColumn(table, command.name)
      return
    case 'AT_AddConstraint': {
      const constraint = nodeOf(command.def, 'Constraint')
      if (constraint) noteConstraint(state, table, constraint)
      return
    }
    case 'AT_ValidateConstraint': {
      const check = command.name ? state.tableOrExisting(table).notNullChecks.get(command.name) : undefined
      if (check) check.validated = true
      return
    }
    case 'AT_DropConstraint':
      if (command.name) state.table(table)?.notNullChecks.delete(command.name)
      return
  }
}

function addColumn(state: SchemaState, table: string, name: string, column: ColumnDef): void {
  state.addColumn(table, name, typeText(column.typeName), declaresNotNull(column), collationOf(column))
  const keyed = constraintsOf(column).some((c) => c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE')
  if (keyed) state.tableOrExisting(table).keyColumns.add(name)
}

function noteConstraint(state: SchemaState, table: string, constraint: Constraint): void {
  if (constraint.contype === 'CONSTR_PRIMARY') {
    for (const column of namesOf(constraint.keys)) state.setColumnNotNull(table, column, true)
  }
  if (constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE' || constraint.contype === 'CONSTR_EXCLUSION') {
    // Without key names (USING INDEX, EXCLUDE), any column may be covered.
    const keys = namesOf(constraint.keys)
    const covered = keys.length ? keys : [...(state.table(table)?.columns.keys() ?? [])]
    for (const column of covered) state.tableOrExisting(table).keyColumns.add(column)
  }
  const name = constraint.conname
  if (!name) return
  if (constraint.skip_validation && (constraint.contype === 'CONSTR_CHECK' || constraint.contype === 'CONSTR_FOREIGN')) {
    state.noteNotValid(table, name, constraint.contype === 'CONSTR_CHECK' ? 'check' : 'foreign-key')
  }
  const test = constraint.contype === 'CONSTR_CHECK' ? nodeOf(constraint.raw_expr, 'NullTest') : undefined
  const column = namesOf(nodeOf(test?.arg, 'ColumnRef')?.fields)
  if (test?.nulltesttype === 'IS_NOT_NULL' && column.length === 1) {
    state.tableOrExisting(table).notNullChecks.set(name, { column: column[0] as string, validated: !constraint.skip_validation })
  }
}
