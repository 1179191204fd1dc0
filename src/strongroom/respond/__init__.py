"""Incident response: incidents, playbooks, blast radius, deadlines and notices."""
