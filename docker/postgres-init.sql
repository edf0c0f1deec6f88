-- One database per subgraph, as on a developer's machine.
CREATE DATABASE cartograph_users;
CREATE DATABASE cartograph_products;
CREATE DATABASE cartograph_orders;
