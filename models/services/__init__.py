"""models/services"""
