-- One database per service (PostgreSQL image init script).
CREATE DATABASE konnect_identity;
CREATE DATABASE konnect_timeline;
CREATE DATABASE konnect_messaging;
CREATE DATABASE konnect_planning;
CREATE DATABASE konnect_credits;
CREATE DATABASE konnect_notifications;
