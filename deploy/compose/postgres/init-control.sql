-- control plane databases (one per service)
CREATE DATABASE planner;
CREATE DATABASE approval;
