// Package table is the game manager ("games" service) and, under it, one
// actor per craps table. Tables call internal/craps for the rules and the
// consensus service for agreement; they hold no rules of their own.
package table
