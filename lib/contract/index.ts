export * from "./primitives";
export * from "./event-types";
export * from "./cloudevent";
