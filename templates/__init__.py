"""Jinja2 templates for recipes, deployment documents and ``gglift init`` (shipped as ``gglift.templates``)."""
