/**
 * Largest value of an OCPP `integer` field. OCPP `integer` fields are 32-bit signed (OCPP-J 1.6 and 2.0.1 part 2
 * §2.1.4 "Primitive Datatypes": integer is a 32-bit signed integer), so ids, limits and durations that cross the
 * wire must fit in -2^31 .. 2^31 - 1.
 */
export const INT32_MAX = 2_147_483_647;
