"""Reuses (réutilisations) of datasets: applications, articles, visualisations."""
