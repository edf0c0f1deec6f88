import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * graphql-armor's cost formula, kept exactly so that MAX_COST keeps its meaning: a scalar
 * costs 1, an object 2 plus 1.5 times what it selects, all times its page size (`first` or
 * `last`, at least 1); `__schema` is free. Armor reads the page size only from an integer
 * literal, so `first: $n` with n = 100, or `first` left at its default, counted as 1. Here
 * the page size is what the field will really get: the literal, the variable's value (or the
 * variable's default), or the argument's default in the schema.
 */
const objectCost = 2;
const scalarCost = 1;
const depthCostFactor = 1.5;

/** Where one `first`/`last` argument gets its value when it depends on the variables. */
interface VariablePage {
  variable: string;
  /** The variable's own default, used when the request leaves it out. */
  variableDefault: number | undefined;
  /** The argument's default, used when the variable is null or absent without a default. */
  argumentDefault: number | undefined;
}

/**
 * An operation compiled once per document: what does not depend on the variables is folded
 * into numbers, so a request evaluates only the fields whose page size comes from a variable.
 */
type Cost = number | CostNode;

interface CostNode {
  base: number;
  children: Cost[];
  /** The page size known without variables (1 when none), and the variable ones. */
  pageFloor: number;
  pages: VariablePage[];
  /** A named fragment's definition, used by every spread of it: evaluated once per request. */
  shared: boolean;
}

type Variables = Readonly<Record<string, unknown>> | null | undefined;

const intOf = (value: ValueNode | undefined): number | undefined =>
  value?.kind === Kind.INT ? Number.parseInt(value.value, 10) : undefined;

const numberOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

function fieldOf(parent: GraphQLNamedType | undefined, name: string) {
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/**
 * Compiles one operation. Variable values are those of the request, uncoerced: a `first` is an
 * Int, and an Int variable's coerced value is its JSON number whenever coercion succeeds (when
 * it fails, the operation is refused anyway), so reading the raw number is exact and cheap.
 */
function compileOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Cost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const variableDefaults = new Map<string, number | undefined>();
  for (const definition of operation.variableDefinitions ?? []) {
    variableDefaults.set(definition.variable.name.value, intOf(definition.defaultValue));
  }
  const compiledFragments = new Map<string, Cost>();

  const node = (base: number, children: Cost[], pageFloor = 1, pages: VariablePage[] = []) => {
    if (pages.length === 0 && children.every((child) => typeof child === 'number')) {
      let cost = base;
      for (const child of children) cost += depthCostFactor * (child as number);
      return cost * pageFloor;
    }
    const compiled: CostNode = { base, children, pageFloor, pages, shared: false };
    return compiled;
  };

  const fieldCost = (field: FieldNode, parent: GraphQLNamedType | undefined): Cost => {
    if (field.name.value === '__schema') return 0;
    if (!field.selectionSet) return scalarCost;
    const definition: GraphQLField<unknown, unknown> | undefined = fieldOf(
      parent,
      field.name.value,
    );
    let pageFloor = 1;
    const pages: VariablePage[] = [];
    const pageArguments = new Set(['first', 'last']);
    for (const argument of definition?.args ?? []) {
      if (!pageArguments.has(argument.name)) continue;
      pageArguments.delete(argument.name);
      const argumentDefault = numberOf(argument.defaultValue);
      const given = field.arguments?.find((node) => node.name.value === argument.name)?.value;
      if (given?.kind === Kind.VARIABLE) {
        const variable = given.name.value;
        pages.push({ variable, variableDefault: variableDefaults.get(variable), argumentDefault });
      } else {
        pageFloor = Math.max(pageFloor, intOf(given) ?? argumentDefault ?? 1);
      }
    }
    // Arguments the schema does not know fail validation; a literal one still counts, as in armor.
    for (const name of pageArguments) {
      const given = field.arguments?.find((node) => node.name.value === name)?.value;
      pageFloor = Math.max(pageFloor, intOf(given) ?? 1);
    }
    return node(
      objectCost,
      selectionsCost(field.selectionSet, definition && getNamedType(definition.type)),
      pageFloor,
      pages,
    );
  };

  const fragmentCost = (name: string): Cost => {
    const known = compiledFragments.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    // Validation refuses unknown fragments and cycles before any cost is computed; a stand-in
    // keeps this total even so.
    compiledFragments.set(name, 0);
    if (!fragment) return 0;
    const cost = node(
      objectCost,
      selectionsCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)),
    );
    if (typeof cost !== 'number') cost.shared = true;
    compiledFragments.set(name, cost);
    return cost;
  };

  const selectionsCost = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
  ): Cost[] =>
    selectionSet.selections.map((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return fieldCost(selection, parent);
        case Kind.INLINE_FRAGMENT:
          return node(
            objectCost,
            selectionsCost(
              selection.selectionSet,
              selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent,
            ),
          );
        case Kind.FRAGMENT_SPREAD:
          return node(scalarCost, [fragmentCost(selection.name.value)]);
      }
    });

  const root = schema.getRootType(operation.operation) ?? undefined;
  const children = selectionsCost(operation.selectionSet, root);
  // The operation itself adds nothing and no depth factor: the sum of what it selects.
  if (children.every((child) => typeof child === 'number')) {
    return children.reduce<number>((sum, child) => sum + (child as number), 0);
  }
  return { base: 0, children, pageFloor: 1, pages: [], shared: false };
}

function pageSize(node: CostNode, variables: Variables) {
  let size = node.pageFloor;
  for (const page of node.pages) {
    const value = variables?.[page.variable];
    const resolved =
      value === undefined
        ? (page.variableDefault ?? page.argumentDefault)
        : value === null
          ? page.argumentDefault
          : numberOf(value);
    size = Math.max(size, resolved ?? 1);
  }
  return size;
}

function evaluate(
  cost: Cost,
  variables: Variables,
  memo: Map<CostNode, number>,
  root = false,
): number {
  if (typeof cost === 'number') return cost;
  const known = cost.shared ? memo.get(cost) : undefined;
  if (known !== undefined) return known;
  let total = cost.base;
  const factor = root ? 1 : depthCostFactor;
  for (const child of cost.children) total += factor * evaluate(child, variables, memo);
  total *= pageSize(cost, variables);
  if (cost.shared) memo.set(cost, total);
  return total;
}

/**
 * The cost limit, applied where the variables are known: after validation, per request. Each
 * operation is compiled once (Apollo keeps one parsed document per query text); a request
 * then costs a walk over the few fields whose page size is a variable, or nothing.
 */
export function createCostLimit(maxCost: number) {
  const compiled = new WeakMap<OperationDefinitionNode, Cost>();

  /** The operation's cost with these variables. */
  function costOf(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Variables,
  ): number {
    let cost = compiled.get(operation);
    if (cost === undefined) {
      cost = compileOperation(schema, document, operation);
      compiled.set(operation, cost);
    }
    return typeof cost === 'number' ? cost : evaluate(cost, variables, new Map(), true);
  }

  const refusal = (cost: number) =>
    new GraphQLError(`Query Cost limit of ${maxCost} exceeded, found ${cost}.`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
    });

  /** GRAPHQL_VALIDATION_FAILED (HTTP 400) when the operation costs more than the limit. */
  function check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Variables,
  ): GraphQLError | undefined {
    const operation = getOperationAST(document, operationName);
    if (!operation) return undefined;
    const cost = costOf(schema, document, operation, variables);
    return cost > maxCost ? refusal(cost) : undefined;
  }

  // One listener for every request: the hook keeps nothing of its own per request.
  const listener: GraphQLRequestListener<BaseContext> = {
    async didResolveOperation({ schema, document, operation, request }) {
      if (!operation) return;
      const cost = costOf(schema, document, operation, request.variables);
      if (cost > maxCost) throw refusal(cost);
    },
  };
  const plugin: ApolloServerPlugin<BaseContext> = { requestDidStart: async () => listener };

  return { costOf, check, plugin };
}

export type CostLimit = ReturnType<typeof createCostLimit>;
