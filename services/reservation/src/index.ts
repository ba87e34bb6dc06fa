export { createReservationService, type ReservationServiceDeps } from './reservation-service.js';
